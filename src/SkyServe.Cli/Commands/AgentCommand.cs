using System.CommandLine;
using SkyServe.ReplicaAgent.Hosting;

namespace SkyServe.Cli.Commands;

/// <summary>`skyserve agent --model DIR --port N [...]`: the replica agent on its own, e.g. to serve a model without a controller.</summary>
public static class AgentCommand
{
    public static Command Build()
    {
        var command = new Command("agent", "Run the replica agent (flags as SkyServe.ReplicaAgent; --help lists them)")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction((parse, _) => AgentProgram.RunAsync(parse.UnmatchedTokens.ToList()));
        return command;
    }
}
