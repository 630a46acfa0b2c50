// feedscout: the command-line entry point. `feedscout --help` lists the commands.
#include <iostream>

#include "cli_common.h"

int main(int argc, char** argv) {
  using namespace feedscout::cli;
  CLI::App app{"feedscout — cross-surface personalisation engine"};
  app.require_subcommand(1);
  CommonOptions opts;
  int exit_code = 0;

  auto* demo = app.add_subcommand(
      "demo",
      "Run the main job on the shipped sample: train, ingest, simulate, report, then serve "
      "(FEEDSCOUT_DEMO_SERVE=0 exits after the report)");
  add_common_options(*demo, opts);
  demo->callback([&] { exit_code = run_demo(opts); });
  register_commands(app, opts, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
