package grade

import "github.com/spotcheck/spotcheck/fakespotify/wire"

// RetryAfter is the Retry-After parser the rules read a 429 with.
var RetryAfter = wire.ParseRetryAfter
