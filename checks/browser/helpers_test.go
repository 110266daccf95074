package browser_test

import "github.com/go-rod/rod/lib/proto"

func protoTarget(url string) proto.TargetCreateTarget { return proto.TargetCreateTarget{URL: url} }
