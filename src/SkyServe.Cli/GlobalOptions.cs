using System.CommandLine;

namespace SkyServe.Cli;

/// <summary>Options every command that talks to the controller accepts.</summary>
public sealed class GlobalOptions
{
    public Option<string?> Url { get; } = new("--url") { Description = "Controller URL (default: $SKYSERVE_URL, the CLI config, or " + CliConfig.DefaultUrl + ")", Recursive = true };
    public Option<string?> Token { get; } = new("--token") { Description = "API token (default: $SKYSERVE_TOKEN or the CLI config, which keep it out of `ps`)", Recursive = true };

    public ControllerClient Client(ParseResult parse) => new(CliConfig.Resolve(parse.GetValue(Url), parse.GetValue(Token)));
}
