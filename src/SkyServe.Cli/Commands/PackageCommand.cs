using System.CommandLine;
using System.Globalization;
using SkyServe.Cli.Packaging;

namespace SkyServe.Cli.Commands;

/// <summary>
/// `skyserve package [--output DIR] [--only NAME ...] [--source DIR]`: publishes the replica agent, the controller and the
/// load balancer self-contained for linux-x64, each as a .tar.gz with its .sha256 (see <see cref="Packager"/>). The agent's
/// archive is what the clouds' boot scripts download, from the controller (GET /api/v1/agent/package) or a URL of the operator's.
/// </summary>
public static class PackageCommand
{
    public static Command Build()
    {
        var output = new Option<string?>("--output", "-o") { Description = "Folder for the archives (default: artifacts/packages/ of the checkout)" };
        var only = new Option<string[]>("--only")
        {
            Description = $"Package only these ({string.Join(", ", PackagedProgram.Names)}); default: all",
            AllowMultipleArgumentsPerToken = true,
        };
        only.AcceptOnlyFromAmong([.. PackagedProgram.Names]);
        var source = new Option<string?>("--source") { Description = "The checkout to package (default: the one holding the current folder, else this CLI's)" };
        var command = new Command("package",
            $"Publish the replica agent, controller and load balancer self-contained for {PackagedProgram.Runtime} as .tar.gz archives with their SHA-256")
        {
            output, only, source,
        };
        command.SetAction(async (parse, ct) =>
        {
            var checkout = Checkout(parse.GetValue(source));
            var folder = Path.GetFullPath(parse.GetValue(output) ?? Path.Combine(checkout, "artifacts", "packages"));
            var names = parse.GetValue(only) is { Length: > 0 } chosen ? chosen : [.. PackagedProgram.Names];
            var programs = PackagedProgram.All.Where(p => names.Contains(p.Name)).ToList();
            var packaged = await new Packager(checkout, Path.Combine(checkout, "artifacts", "package-build"), Console.Error)
                .RunAsync(programs, folder, ct);
            foreach (var p in packaged)
                Console.WriteLine($"{p.Archive}  {Megabytes(p.Bytes)}  sha256 {p.Sha256}");
            return 0;
        });
        return command;
    }

    /// <summary>The repository root: the given folder, else the first folder holding SkyServe.sln above the current one or above this program.</summary>
    private static string Checkout(string? given)
    {
        if (given is not null)
            return File.Exists(Path.Combine(given, "SkyServe.sln")) ? Path.GetFullPath(given)
                : throw new CliException($"{given} is not a SkyServe checkout (no SkyServe.sln)");
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "SkyServe.sln")))
                    return dir.FullName;
        throw new CliException("no SkyServe checkout (SkyServe.sln) above the current folder or this program; pass --source");
    }

    private static string Megabytes(long bytes) => (bytes / 1024d / 1024d).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";
}
