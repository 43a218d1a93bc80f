using System.Diagnostics;

namespace SkyServe.Cli.Packaging;

/// <summary>
/// <c>dotnet publish</c> of one project, self-contained for <see cref="PackagedProgram.Runtime"/>, as a child process whose
/// output the user sees. Its bin/ and obj/ go under <c>--artifacts-path</c>, away from the checkout's own build, whose
/// restore (without a runtime) a runtime-specific one would otherwise rewrite.
/// </summary>
public static class DotnetPublish
{
    public static async Task RunAsync(string checkout, PackagedProgram program, string buildFolder, string output, CancellationToken ct)
    {
        // The muxer that runs this CLI, when it says so: the same SDK then publishes.
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = checkout,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "publish", Path.Combine(checkout, program.Project), "-c", "Release", "-r", PackagedProgram.Runtime, "--self-contained",
            "--artifacts-path", buildFolder, "-o", output, "-nologo", "-v", "quiet", "-clp:NoSummary",
            "-p:DebugType=none", // no .pdb files: a machine downloads the archive at every first boot
        })
            info.ArgumentList.Add(arg);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info) ?? throw new CliException("could not start `dotnet publish`");
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        if (process.ExitCode != 0)
            throw new CliException($"`dotnet publish {program.Project} -r {PackagedProgram.Runtime} --self-contained` failed (exit code " +
                $"{process.ExitCode}); a self-contained publish needs the runtime packs Microsoft.NETCore.App.Runtime.{PackagedProgram.Runtime} " +
                $"and Microsoft.AspNetCore.App.Runtime.{PackagedProgram.Runtime} from the NuGet source");
    }
}
