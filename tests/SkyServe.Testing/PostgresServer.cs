using Xunit;

namespace SkyServe.Testing;

/// <summary>
/// A real, throwaway PostgreSQL cluster on a free loopback port, from the machine's Debian packages
/// (tests/run.sh installs them). Set SKYSERVE_TEST_POSTGRES to a connection string to use an existing
/// server instead. When neither works the tests fail with the reason: they never silently skip.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private TempDirectory? directory;
    private string? binDir;
    private string? clusterDir;
    private int port;
    private int databaseCounter;

    /// <summary>Connection string of the server's maintenance database.</summary>
    public string AdminConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("SKYSERVE_TEST_POSTGRES") is { Length: > 0 } given)
        {
            AdminConnectionString = given;
            return;
        }
        binDir = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (binDir is null)
            throw new InvalidOperationException(
                "PostgreSQL server binaries not found under /usr/lib/postgresql: run the suite with tests/run.sh, which installs Debian's postgresql package, or set SKYSERVE_TEST_POSTGRES");

        directory = new TempDirectory();
        clusterDir = Path.Combine(directory.Path, "cluster");
        port = FreePort.Next();
        if (Environment.UserName == "root") // initdb refuses to run as root: the cluster belongs to the postgres user.
            await ProcessRunner.RunCheckedAsync("chown", "-R", "postgres", directory.Path);
        await PgAsync("initdb", "-D", clusterDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8");
        await StartAsync();
        AdminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Timeout=30";
    }

    /// <summary>Starts the stopped server again, on the same port with the same data (the end of a simulated outage).</summary>
    public Task StartAsync() =>
        PgAsync("pg_ctl", "-D", OwnCluster(), "-w", "-t", "60", "-l", Path.Combine(directory!.Path, "server.log"),
            "-o", $"-p {port} -k {directory.Path} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200",
            "start");

    /// <summary>
    /// Stops the server as an operator's restart would (pg_ctl stop -m fast: sessions are ended, new connections refused),
    /// the start of a simulated outage. Only for a cluster of its own, not a server given by SKYSERVE_TEST_POSTGRES.
    /// </summary>
    public Task StopAsync() => PgAsync("pg_ctl", "-D", OwnCluster(), "-w", "-t", "60", "-m", "fast", "stop");

    private string OwnCluster() => clusterDir ?? throw new InvalidOperationException(
        "this PostgreSQL server was given by SKYSERVE_TEST_POSTGRES: a test cannot stop and start it; unset the variable to let the test run its own cluster");

    private async Task PgAsync(string tool, params string[] args)
    {
        var exe = Path.Combine(binDir!, tool);
        var result = Environment.UserName == "root"
            ? await ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", exe, .. args])
            : await ProcessRunner.RunAsync(exe, args);
        if (result.ExitCode != 0)
        {
            var log = Path.Combine(directory!.Path, "server.log");
            throw new InvalidOperationException(
                $"{tool} failed ({result.ExitCode}):\n{result.Output}\n{(File.Exists(log) ? File.ReadAllText(log) : "")}");
        }
    }

    /// <summary>A connection string for a database of its own (created on first connection by EF's migrations).</summary>
    public string NewDatabase(string prefix = "skyserve") =>
        AdminConnectionString.Replace("Database=postgres", $"Database={prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref databaseCounter)}");

    public async Task DisposeAsync()
    {
        if (clusterDir is not null && binDir is not null)
        {
            var stop = Path.Combine(binDir, "pg_ctl");
            string[] args = ["-D", clusterDir, "-m", "immediate", "stop"];
            if (Environment.UserName == "root")
                await ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", stop, .. args]);
            else
                await ProcessRunner.RunAsync(stop, args);
        }
        directory?.Dispose();
    }
}
