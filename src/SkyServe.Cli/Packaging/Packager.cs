namespace SkyServe.Cli.Packaging;

/// <summary>
/// Publishes programs of a checkout self-contained for linux-x64 and writes each as <c>NAME.tar.gz</c> with
/// <c>NAME.tar.gz.sha256</c> into the output folder. The controller's archive also carries the checkout's <c>config/</c>
/// (the catalog it prices from) and, when the agent is packaged in the same run, the agent's archive and digest beside the
/// controller's program, which it then serves to its cloud machines with no further setting.
/// </summary>
/// <param name="checkout">The repository's root (holding SkyServe.sln).</param>
/// <param name="buildFolder">Where the publishes build (bin/, obj/) and are staged; kept between runs for speed.</param>
public sealed class Packager(string checkout, string buildFolder, TextWriter log)
{
    public sealed record Packaged(PackagedProgram Program, string Archive, string Sha256, long Bytes);

    public async Task<IReadOnlyList<Packaged>> RunAsync(IReadOnlyList<PackagedProgram> programs, string output, CancellationToken ct)
    {
        Directory.CreateDirectory(output);
        var done = new List<Packaged>();
        foreach (var program in PackagedProgram.All.Where(programs.Contains))
        {
            var stage = Path.Combine(buildFolder, "stage", program.Name);
            if (Directory.Exists(stage))
                Directory.Delete(stage, recursive: true); // nothing of an earlier publish may ride along
            log.WriteLine($"skyserve package: publishing {program.Name} ({program.Project}) self-contained for {PackagedProgram.Runtime}...");
            await DotnetPublish.RunAsync(checkout, program, buildFolder, stage, ct);
            if (!File.Exists(Path.Combine(stage, program.Executable)))
                throw new CliException($"the publish of {program.Project} has no {program.Executable} at its root");
            if (program == PackagedProgram.Controller)
                AddToController(stage, done.FirstOrDefault(p => p.Program == PackagedProgram.ReplicaAgent));

            var archive = Path.Combine(output, program.Archive);
            var sha256 = TarGz.Write(stage, archive);
            done.Add(new Packaged(program, archive, sha256, new FileInfo(archive).Length));
        }
        return done;
    }

    private void AddToController(string stage, Packaged? agent)
    {
        CopyFolder(Path.Combine(checkout, "config"), Path.Combine(stage, "config"));
        if (agent is null)
        {
            log.WriteLine("skyserve package: the controller's archive carries no agent archive (package replica-agent with it for that)");
            return;
        }
        File.Copy(agent.Archive, Path.Combine(stage, agent.Program.Archive));
        File.Copy(agent.Archive + ".sha256", Path.Combine(stage, agent.Program.Archive + ".sha256"));
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
