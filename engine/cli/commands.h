// `edged` subcommands that live outside main.cc (they are compiled into edge_engine, see
// CMakeLists.txt). Each takes main's argc/argv (argv[1] is the command name), prints to
// stdout/stderr and returns the process exit code: 0 ok, 1 runtime failure, 2 bad usage/config.
#pragma once

namespace edge::engine::cli {

// edged explain --config FILE [-X METHOD] [-H 'Name: value']... [--origin-header 'Name: value']...
//               [--origin-status N] [--now EPOCH_SECONDS] URL
int runExplain(int argc, char** argv);
inline constexpr const char* kExplainUsage =
    "  edged explain --config FILE [-X METHOD] [-H 'Name: value']...\n"
    "                [--origin-header 'Name: value']... [--origin-status N] [--now EPOCH] URL\n";

// edged invalidate --admin HOST:PORT [--caller-reference REF] PATH...
int runInvalidate(int argc, char** argv);
inline constexpr const char* kInvalidateUsage =
    "  edged invalidate --admin HOST:PORT [--caller-reference REF] PATH...\n";

// edged sign --url URL --key-pair-id ID --private-key file://PATH --date-less-than DATE
//            [--date-greater-than DATE] [--ip-address IP[/N]] [--policy-resource RESOURCE]
//            [--hash-algorithm SHA1|SHA256] [--cookies]
int runSign(int argc, char** argv);
inline constexpr const char* kSignUsage =
    "  edged sign --url URL --key-pair-id ID --private-key file://PATH --date-less-than DATE\n"
    "             [--date-greater-than DATE] [--ip-address IP[/N]] [--policy-resource RESOURCE]\n"
    "             [--hash-algorithm SHA1|SHA256] [--cookies]\n";

}  // namespace edge::engine::cli
