package main

import (
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/doctor"
	"github.com/spotcheck/spotcheck/checks/ready"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/grade"
	"github.com/spotcheck/spotcheck/reports"
)

// Shell completion (cobra's `spotcheck completion bash|zsh|fish|
// powershell`) offers the values each flag takes. Every list comes from
// the place that parses the flag, so completion cannot offer a value the
// command refuses.

// values completes a flag from a fixed list, never with file names.
func values(vs ...string) cobra.CompletionFunc {
	return cobra.FixedCompletions(vs, cobra.ShellCompDirectiveNoFileComp)
}

// must registers a completion; it fails only for a flag that does not
// exist, a programming error the CLI specs catch at once.
func must(err error) {
	if err != nil {
		panic(err)
	}
}

// registerFormatCompletion completes --format with formats and --report
// with FORMAT= prefixes, after which the shell completes a path.
func registerFormatCompletion(cmd *cobra.Command, formats []reports.Format) {
	names := make([]string, len(formats))
	prefixes := make([]string, len(formats))
	for i, f := range formats {
		names[i], prefixes[i] = string(f), string(f)+"="
	}
	must(cmd.RegisterFlagCompletionFunc("format", values(names...)))
	must(cmd.RegisterFlagCompletionFunc("report", func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if _, _, ok := strings.Cut(toComplete, "="); ok {
			return nil, cobra.ShellCompDirectiveDefault // a path
		}
		return prefixes, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
	}))
}

// registerTargetCompletion completes --target: the named targets and the
// URL a default `spotcheck fake` listens on.
func registerTargetCompletion(cmd *cobra.Command, named ...checks.TargetKind) {
	var vs []string
	for _, t := range named {
		vs = append(vs, string(t))
	}
	must(cmd.RegisterFlagCompletionFunc("target", values(append(vs, ready.DefaultURL)...)))
}

// failOnValues are what parseFailOn accepts.
func failOnValues() []string {
	return []string{string(grade.SeverityError), string(grade.SeverityWarning), string(grade.SeverityInfo), "none"}
}

// completeList completes one item of a comma-separated list flag
// (--tags pkce,re<TAB>), keeping the items before it.
func completeList(items []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	done := ""
	if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
		done = toComplete[:i+1]
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, done+it)
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// completeTags offers the tags of the scenarios the command line names
// (its FILE and DIR arguments), or of the built-in suite.
func completeTags(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	list, _, err := loadScenarios(args, nil)
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	return completeList(allTags(list), toComplete)
}

// completeApps offers the names of the apps of --config, or of the
// built-in configuration.
func completeApps(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	path, _ := cmd.Flags().GetString("config")
	cfg, _, err := fakeConfigFrom(path, "", os.Getenv)
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	return appNames(cfg), cobra.ShellCompDirectiveNoFileComp
}

func appNames(cfg *config.Config) []string {
	names := make([]string, len(cfg.Apps))
	for i, app := range cfg.Apps {
		names[i] = app.Name
	}
	return names
}

// flowValues are the flows doctor.ParseFlow accepts, by their names.
func flowValues() []string {
	return []string{string(doctor.FlowCode), string(doctor.FlowPKCE), string(doctor.FlowClientCredentials)}
}
