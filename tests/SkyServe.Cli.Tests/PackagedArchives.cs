using SkyServe.Testing;

namespace SkyServe.Cli.Tests;

/// <summary>
/// The archives of `skyserve package`, made once per test run: by tests/run.sh before the tests (it packages into a folder
/// it names in SKYSERVE_TEST_PACKAGES), else here, by running the real `skyserve package` into a folder of its own.
/// </summary>
public sealed class PackagedArchives : IAsyncLifetime
{
    public const string Collection = "packaged archives";
    public const string Variable = "SKYSERVE_TEST_PACKAGES";

    public const string Agent = "replica-agent-linux-x64.tar.gz";
    public const string Controller = "skyserve-controller-linux-x64.tar.gz";
    public const string LoadBalancer = "skyserve-loadbalancer-linux-x64.tar.gz";

    private readonly TempDirectory own = new();

    public string Folder { get; private set; } = "";

    public string PathOf(string archive) => Path.Combine(Folder, archive);

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } made)
        {
            Folder = made;
            foreach (var archive in new[] { Agent, Controller, LoadBalancer })
                Assert.True(File.Exists(PathOf(archive)), $"{Variable} names {made}, which has no {archive}");
            return;
        }
        Folder = Path.Combine(own.Path, "packages");
        var cli = new SkyServeCli(own.Path);
        var result = await ProcessRunner.RunAsync("dotnet", [SkyServeCli.Dll, "package", "--output", Folder], cli.Environment(),
            timeout: TimeSpan.FromMinutes(15));
        Assert.True(result.ExitCode == 0, $"skyserve package exited {result.ExitCode}:\n{result.Output}");
    }

    public Task DisposeAsync()
    {
        own.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(PackagedArchives.Collection)]
public sealed class PackagedArchivesCollection : ICollectionFixture<PackagedArchives>;
