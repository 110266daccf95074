package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// Stamped at link time by release builds (GoReleaser, make image):
//
//	-ldflags "-X main.version=1.2.3 -X main.commit=<full sha> -X main.date=<RFC 3339>"
//
// Without them the Go toolchain's build information is used: the module
// version of a `go install …@v1.2.3` build, and the VCS revision and commit
// time of a build in a git checkout.
var version, commit, date string

// build is what `spotcheck version` tells.
type build struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	// Date is the build time (stamped), or the commit time (from VCS);
	// Stamped says which.
	Date     string `json:"date,omitempty"`
	Stamped  bool   `json:"-"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

// currentBuild reads the stamped variables, then the toolchain's record.
func currentBuild() build {
	bi, _ := debug.ReadBuildInfo()
	return describeBuild(version, commit, date, bi)
}

func describeBuild(version, commit, date string, bi *debug.BuildInfo) build {
	b := build{Version: version, Commit: commit, Date: date, Stamped: date != "", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			b.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && b.Commit == "":
				b.Commit = s.Value
			case s.Key == "vcs.time" && b.Date == "":
				b.Date = s.Value
			}
		}
		if bi.GoVersion != "" {
			b.Go = bi.GoVersion
		}
	}
	// Release tags are v1.2.3; GoReleaser's version and gh's output are 1.2.3.
	b.Version = strings.TrimPrefix(b.Version, "v")
	if b.Version == "" {
		b.Version = "dev"
	}
	return b
}

// String is the one line of `spotcheck --version`, e.g.
// "spotcheck 1.2.3 (commit abc1234, built 2026-12-06)".
func (b build) String() string {
	var extra []string
	if b.Commit != "" {
		extra = append(extra, "commit "+b.Commit[:min(len(b.Commit), 7)])
	}
	if b.Date != "" {
		day := b.Date
		if t, err := time.Parse(time.RFC3339, b.Date); err == nil {
			day = t.UTC().Format(time.DateOnly)
		}
		if b.Stamped {
			extra = append(extra, "built "+day)
		} else {
			extra = append(extra, "committed "+day)
		}
	}
	if len(extra) == 0 {
		return "spotcheck " + b.Version
	}
	return "spotcheck " + b.Version + " (" + strings.Join(extra, ", ") + ")"
}

// spotcheckVersion is the version alone, as reports record it.
func spotcheckVersion() string { return currentBuild().Version }

func init() {
	subcommands = append(subcommands, func(a *app) *cobra.Command {
		var asJSON bool
		cmd := &cobra.Command{
			Use:   "version",
			Short: "Print the spotcheck version, commit and build date",
			Long: `Print the version, commit and build date in one line (the same as spotcheck --version), or with
--json an object with version, commit, date (RFC 3339: the build time of a release binary, the
commit time of a build from a git checkout), go and platform.`,
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				b := currentBuild()
				if asJSON {
					enc := json.NewEncoder(a.stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(b)
				}
				_, err := fmt.Fprintln(a.stdout, b)
				return err
			},
		}
		cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
		return cmd
	})
}

// setVersionFlag gives the root command --version, printing what
// `spotcheck version` prints.
func setVersionFlag(root *cobra.Command) {
	root.Version = currentBuild().String()
	root.SetVersionTemplate("{{.Version}}\n")
}
