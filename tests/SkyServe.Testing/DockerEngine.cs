using System.Diagnostics;

namespace SkyServe.Testing;

/// <summary>
/// A Docker daemon of the test's own (Debian's docker.io): its own data root, exec root, socket and pid file under a
/// fresh /tmp/skyserve-docker-* folder, no bridge and no iptables rules (containers use the host's network), so that it
/// runs beside any other dockerd on the machine and leaves nothing behind: disposing it stops it (and the containers it
/// still runs) and removes the folder. With <c>SKYSERVE_TEST_DOCKER_HOST</c> set (e.g. unix:///var/run/docker.sock) the
/// tests use that daemon instead and start none. Needs root, as dockerd does; fails, never skips, when it cannot start.
/// </summary>
public sealed class DockerEngine : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly Process? daemon;
    private readonly string? folder;

    private DockerEngine(string host, Process? daemon, string? folder)
    {
        Host = host;
        this.daemon = daemon;
        this.folder = folder;
    }

    /// <summary>The daemon's address, as DOCKER_HOST (unix:///tmp/skyserve-docker-.../docker.sock).</summary>
    public string Host { get; }

    /// <summary>The daemon's process id, when this fixture started it.</summary>
    public int? Pid => daemon?.Id;

    /// <summary>How long the daemon took to answer after its start (zero for a daemon given by SKYSERVE_TEST_DOCKER_HOST).</summary>
    public TimeSpan StartTime { get; private init; }

    /// <summary>How long the daemon took to stop, and then to have its folder removed (set by <see cref="DisposeAsync"/>).</summary>
    public TimeSpan StopTime { get; private set; }

    public TimeSpan RemoveTime { get; private set; }

    /// <summary>Environment that points docker, docker-compose and deploy/images.sh at this daemon.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["DOCKER_HOST"] = Host,
        ["COMPOSE_DOCKER_CLI_BUILD"] = "0",
        ["DOCKER_BUILDKIT"] = "0",
    };

    public static async Task<DockerEngine> StartAsync()
    {
        if (System.Environment.GetEnvironmentVariable("SKYSERVE_TEST_DOCKER_HOST") is { Length: > 0 } given)
            return new DockerEngine(given, null, null);
        if (!OperatingSystem.IsLinux() || System.Environment.UserName != "root")
            throw new InvalidOperationException("dockerd needs root (or set SKYSERVE_TEST_DOCKER_HOST to a running daemon)");
        var dockerd = Which("dockerd") ?? throw new InvalidOperationException(
            "dockerd is not installed: apt-get install docker.io docker-compose debootstrap (tests/run.sh does), or set SKYSERVE_TEST_DOCKER_HOST");

        // Short paths: the daemon's and containerd's Unix sockets live here, and a socket path has at most 107 bytes.
        var folder = Directory.CreateTempSubdirectory("skyserve-docker-").FullName;
        var socket = Path.Combine(folder, "docker.sock");
        var log = Path.Combine(folder, "dockerd.log");
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("log=\"$0\"; exec \"$@\" >\"$log\" 2>&1 </dev/null");
        info.ArgumentList.Add(log);
        foreach (var arg in new[]
                 {
                     dockerd, "--data-root", Path.Combine(folder, "data"), "--exec-root", Path.Combine(folder, "exec"),
                     "--host", $"unix://{socket}", "--pidfile", Path.Combine(folder, "dockerd.pid"),
                     "--bridge=none", "--iptables=false", "--ip6tables=false", "--ip-masq=false",
                     // Its own containerd namespaces, in case it shares a system containerd with another daemon.
                     "--containerd-namespace", "skyserve-test", "--containerd-plugins-namespace", "skyserve-test-plugins",
                 })
            info.ArgumentList.Add(arg);
        var started = Stopwatch.StartNew();
        var process = Process.Start(info)!;
        var engine = new DockerEngine($"unix://{socket}", process, folder) { StartTime = TimeSpan.Zero };
        while (true)
        {
            if (process.HasExited)
            {
                var (code, output) = (process.ExitCode, Tail(log));
                await engine.DisposeAsync();
                throw new InvalidOperationException($"dockerd exited with code {code} at start:\n{output}");
            }
            if (File.Exists(socket) && (await ProcessRunner.RunAsync("docker", ["version", "--format", "{{.Server.Version}}"], engine.Environment,
                    timeout: TimeSpan.FromSeconds(10))).ExitCode == 0)
                break;
            if (started.Elapsed > StartTimeout)
            {
                var output = Tail(log);
                await engine.DisposeAsync();
                throw new TimeoutException($"dockerd did not answer within {StartTimeout.TotalSeconds:0} s:\n{output}");
            }
            await Task.Delay(200);
        }
        return new DockerEngine(engine.Host, process, folder) { StartTime = started.Elapsed };
    }

    /// <summary>Runs the docker client against this daemon.</summary>
    public Task<ProcessRunner.Result> DockerAsync(params string[] args) =>
        ProcessRunner.RunAsync("docker", args, Environment, timeout: TimeSpan.FromMinutes(2));

    /// <summary>Runs the docker client and throws with what it printed when it fails; its standard output, trimmed.</summary>
    public async Task<string> DockerCheckedAsync(params string[] args)
    {
        var result = await DockerAsync(args);
        return result.ExitCode == 0
            ? result.Stdout.Trim()
            : throw new InvalidOperationException($"docker {string.Join(' ', args)} exited {result.ExitCode}:\n{result.Output}");
    }

    /// <summary>The last lines of the daemon's log (for failure messages).</summary>
    public string LogTail => folder is null ? "(a daemon of SKYSERVE_TEST_DOCKER_HOST: its log is elsewhere)" : Tail(Path.Combine(folder, "dockerd.log"));

    /// <summary>Stops the daemon (SIGTERM: it stops its containers first), SIGKILL after a grace period, then removes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        var watch = Stopwatch.StartNew();
        if (daemon is not null)
        {
            if (!daemon.HasExited)
            {
                using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", daemon.Id.ToString()]) { UseShellExecute = false }))
                    term?.WaitForExit(5000);
                using var stopping = new CancellationTokenSource(StopTimeout);
                try
                {
                    await daemon.WaitForExitAsync(stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    daemon.Kill(entireProcessTree: true);
                    await daemon.WaitForExitAsync();
                }
            }
            daemon.Dispose();
        }
        StopTime = watch.Elapsed;
        watch.Restart();
        if (folder is not null)
            await RemoveAsync(folder);
        RemoveTime = watch.Elapsed;
    }

    /// <summary>The data root may hold mounts for a moment after the daemon ends: unmount what is left, then delete.</summary>
    private static async Task RemoveAsync(string folder)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var mounts = File.ReadAllLines("/proc/self/mounts").Select(line => line.Split(' ')[1]).Where(m => m.StartsWith(folder + "/", StringComparison.Ordinal))
                .OrderByDescending(m => m.Length).ToList();
            foreach (var mount in mounts)
                await ProcessRunner.RunAsync("umount", ["-l", mount]);
            var removed = await ProcessRunner.RunAsync("rm", ["-rf", "--one-file-system", folder]);
            if (removed.ExitCode == 0 && !Directory.Exists(folder))
                return;
            await Task.Delay(500);
        }
    }

    private static string Tail(string path)
    {
        try
        {
            return string.Join('\n', File.ReadLines(path).TakeLast(30));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    private static string? Which(string name) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':')
        .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists)
        ?? new[] { "/usr/sbin", "/usr/bin", "/sbin" }.Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
}
