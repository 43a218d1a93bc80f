using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SkyServe.Bench.Scale;

/// <summary>
/// A throwaway PostgreSQL cluster from the machine's Debian packages (as tests/SkyServe.Testing/PostgresServer.cs makes
/// one): initdb in the work folder, the server on a free loopback port with the distribution's settings (fsync on), as
/// user postgres when this runs as root (initdb refuses root). Stopped with pg_ctl -m fast; bench/scale.sh stops a
/// cluster left behind (cluster/postmaster.pid) if this process dies first.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private readonly string binDir;
    private readonly string directory;
    private bool running;

    private PostgresCluster(string binDir, string directory, int port)
    {
        this.binDir = binDir;
        this.directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string ClusterDirectory => Path.Combine(directory, "cluster");

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=30";

    public static async Task<PostgresCluster> StartAsync(string directory, CancellationToken ct)
    {
        var binDir = (Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderDescending().FirstOrDefault()
            : null) ?? throw new InvalidOperationException(
                "PostgreSQL server binaries not found under /usr/lib/postgresql: install Debian's postgresql package (bench/scale.sh does unless SKIP_INSTALL=1), or run with --db sqlite");
        Directory.CreateDirectory(directory);
        var cluster = new PostgresCluster(binDir, directory, FreeLoopbackPort());
        if (Environment.UserName == "root")
            await RunAsync("chown", ["-R", "postgres", directory], ct);
        await cluster.PgAsync("initdb", ["-D", cluster.ClusterDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8"], ct);
        await cluster.PgAsync("pg_ctl", ["-D", cluster.ClusterDirectory, "-w", "-t", "60", "-l", Path.Combine(directory, "server.log"),
            "-o", $"-p {cluster.Port} -k {directory} -c listen_addresses=127.0.0.1 -c max_connections=200", "start"], ct);
        cluster.running = true;
        return cluster;
    }

    /// <summary>pg_database_size of <paramref name="database"/> in MB (10^6 bytes), through psql.</summary>
    public async Task<double?> DatabaseMegabytesAsync(string database, CancellationToken ct)
    {
        var (code, output) = await RunAsPostgresAsync(Path.Combine(binDir, "psql"),
            ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", database, "-tAc",
                "select pg_database_size(current_database())"], ct);
        return code == 0 && long.TryParse(output.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) ? bytes / 1e6 : null;
    }

    public async ValueTask DisposeAsync()
    {
        if (!running)
            return;
        running = false;
        var (code, output) = await RunAsPostgresAsync(Path.Combine(binDir, "pg_ctl"), ["-D", ClusterDirectory, "-w", "-t", "30", "-m", "fast", "stop"], CancellationToken.None);
        if (code != 0)
        {
            Console.Error.WriteLine($"scale: pg_ctl stop -m fast failed ({code}): {output.Trim()}; stopping it with -m immediate");
            await RunAsPostgresAsync(Path.Combine(binDir, "pg_ctl"), ["-D", ClusterDirectory, "-m", "immediate", "stop"], CancellationToken.None);
        }
    }

    private async Task PgAsync(string tool, string[] args, CancellationToken ct)
    {
        var (code, output) = await RunAsPostgresAsync(Path.Combine(binDir, tool), args, ct);
        if (code != 0)
        {
            var log = Path.Combine(directory, "server.log");
            throw new InvalidOperationException($"{tool} failed ({code}):\n{output}\n{(File.Exists(log) ? File.ReadAllText(log) : "")}");
        }
    }

    private static Task<(int Code, string Output)> RunAsPostgresAsync(string exe, string[] args, CancellationToken ct) =>
        Environment.UserName == "root" ? RunAsync("runuser", ["-u", "postgres", "--", exe, .. args], ct) : RunAsync(exe, args, ct);

    private static async Task<(int Code, string Output)> RunAsync(string exe, string[] args, CancellationToken ct)
    {
        var info = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {exe}");
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
