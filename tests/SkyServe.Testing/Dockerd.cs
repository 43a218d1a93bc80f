using System.Diagnostics;
using Xunit;

namespace SkyServe.Testing;

/// <summary>
/// A throwaway Docker daemon of the test run's own, from Debian's docker.io (tests/run.sh installs it): its data root,
/// exec root, socket and pidfile in a temporary folder, no bridge network and no iptables rules (containers use the
/// host's network), so that it never meets another dockerd on the machine. Besides its socket it listens on a loopback TCP
/// port with TLS, verifying clients (<c>--tlsverify</c>, certificates of its own CA). It imports <see cref="StandInAgentImage"/>.
/// At the end every container is removed and the daemon is stopped by its pid, then its folder is deleted. When dockerd
/// is missing or cannot start here, the tests fail with the reason: they never silently skip.
/// </summary>
public sealed class Dockerd : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private string? directory;
    private int pid;

    /// <summary>The daemon's socket, e.g. /tmp/skyserve-dockerd-ab12cd/docker.sock.</summary>
    public string SocketPath { get; private set; } = "";

    /// <summary>The socket as a Docker endpoint: <c>unix:///...</c>.</summary>
    public string Endpoint => "unix://" + SocketPath;

    /// <summary>The daemon's TCP endpoint, <c>tcp://127.0.0.1:PORT</c>, which takes clients with a certificate of <see cref="Tls"/>'s CA only.</summary>
    public string TlsEndpoint { get; private set; } = "";

    /// <summary>The CA, the daemon's and a client's certificates (and a CA the daemon's is not from).</summary>
    public DockerTlsFiles Tls { get; private set; } = null!;

    public DockerApi Api { get; private set; } = null!;

    /// <summary>How long the daemon took to answer, and the stand-in image to import.</summary>
    public TimeSpan StartedIn { get; private set; }

    public TimeSpan ImageImportedIn { get; private set; }

    public async Task InitializeAsync()
    {
        var dockerd = Find("dockerd") ?? throw new InvalidOperationException(
            "dockerd not found: run the suite with tests/run.sh, which installs Debian's docker.io, or apt-get install docker.io");
        if (Environment.UserName != "root")
            throw new InvalidOperationException("dockerd needs root here (the tests start a daemon of their own): run the Docker tests as root");
        var busybox = StandInAgentImage.FindBusybox();

        // A short path: the socket paths under it (containerd's too) must stay within the 108 bytes of a unix socket's name.
        directory = Directory.CreateTempSubdirectory("skyserve-dockerd-").FullName;
        SocketPath = Path.Combine(directory, "docker.sock");
        var log = Path.Combine(directory, "dockerd.log");
        Tls = DockerTlsFiles.Write(directory);
        TlsEndpoint = $"tcp://127.0.0.1:{FreePort.Next()}";
        var started = Stopwatch.StartNew();
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        // exec keeps one pid from sh to dockerd: the pid to stop it by. Its output goes to a log that a failure quotes.
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("log=\"$0\"; exec \"$@\" >>\"$log\" 2>&1 </dev/null");
        info.ArgumentList.Add(log);
        foreach (var arg in new[]
        {
            dockerd, "--data-root", Path.Combine(directory, "data"), "--exec-root", Path.Combine(directory, "exec"),
            "-H", Endpoint, "-H", TlsEndpoint, "--tlsverify", "--tlscacert", Tls.CaCert, "--tlscert", Tls.ServerCert, "--tlskey", Tls.ServerKey,
            "--pidfile", Path.Combine(directory, "docker.pid"),
            "--bridge=none", "--iptables=false", "--ip-masq=false", "--userland-proxy=false",
            // dockerd starts a containerd of its own under the exec root (unless the machine runs one at /run/containerd,
            // which it would then share): namespaces of its own keep its containers apart either way.
            "--containerd-namespace", "skyserve-test", "--containerd-plugins-namespace", "skyserve-test-plugins",
        })
            info.ArgumentList.Add(arg);
        using (var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dockerd"))
            pid = process.Id;

        Api = new DockerApi(SocketPath);
        using var deadline = new CancellationTokenSource(StartTimeout);
        while (!await Api.PingAsync(deadline.Token))
        {
            if (!IsAlive(pid) || deadline.IsCancellationRequested)
            {
                var why = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(30)) : "(no log)";
                await DisposeAsync();
                throw new InvalidOperationException($"dockerd did not start here within {StartTimeout.TotalSeconds:0} s; its log ends:\n{why}");
            }
            await Task.Delay(100, CancellationToken.None);
        }
        StartedIn = started.Elapsed;

        var import = Stopwatch.StartNew();
        using (var rootfs = StandInAgentImage.RootFilesystem(busybox))
            await Api.ImportAsync(rootfs, StandInAgentImage.Reference, [$"ENTRYPOINT [\"{StandInAgentImage.Entrypoint}\"]", "ENV HOME=/tmp"]);
        ImageImportedIn = import.Elapsed;
    }

    /// <summary>Every container of the daemon, or those with a label (<c>key</c> or <c>key=value</c>).</summary>
    public Task<IReadOnlyList<(string Id, string Name, IReadOnlyDictionary<string, string> Labels)>> ContainersAsync(string? label = null) =>
        Api.ContainersAsync(label);

    public async Task DisposeAsync()
    {
        if (pid != 0 && IsAlive(pid))
        {
            try
            {
                foreach (var (id, _, _) in await Api.ContainersAsync())
                    await Api.RemoveAsync(id);
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException)
            {
                // The daemon is going anyway: stopping it stops its containers.
            }
            await StopAsync(pid);
        }
        Api?.Dispose();
        if (directory is not null)
        {
            UnmountUnder(directory);
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>SIGTERM (dockerd stops its containers and its containerd), then SIGKILL if it has not gone in time.</summary>
    private static async Task StopAsync(int pid)
    {
        Signal(pid, "TERM");
        var waited = Stopwatch.StartNew();
        while (IsAlive(pid) && waited.Elapsed < StopTimeout)
            await Task.Delay(100);
        if (IsAlive(pid))
            Signal(pid, "KILL");
    }

    /// <summary>Alive and not a zombie: dockerd is this process's child until the test host reaps it.</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..];
            return state.Length > 0 && state[0] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
        kill?.WaitForExit(5000);
    }

    /// <summary>What a daemon killed hard leaves mounted under its folder (its data root's overlays, its exec root's netns).</summary>
    private static void UnmountUnder(string directory)
    {
        var mounts = File.ReadLines("/proc/self/mounts").Select(l => l.Split(' ')[1].Replace("\\040", " ", StringComparison.Ordinal))
            .Where(m => m.StartsWith(directory + "/", StringComparison.Ordinal)).OrderByDescending(m => m.Length).ToList();
        foreach (var mount in mounts)
        {
            using var umount = Process.Start(new ProcessStartInfo("umount", ["-l", mount]) { UseShellExecute = false, RedirectStandardError = true });
            umount?.WaitForExit(5000);
        }
    }

    private static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/usr/bin").Append("/sbin")
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);
}
