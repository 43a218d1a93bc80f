using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Contracts.Agent;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Reconcile;
using SkyServe.Providers;
using SkyServe.Providers.Boot;
using SkyServe.Testing;

namespace SkyServe.Cli.Tests;

/// <summary>
/// The real first-boot script of a GCP/Azure machine (<see cref="AgentBootScript"/>), run by bash in a folder that plays
/// the machine, against a real controller on loopback serving the real agent archive of `skyserve package`: it downloads
/// the archive with the machine's agent token, checks the digest written into the script, unpacks it and starts the agent,
/// which answers /health. Only what this host cannot be is moved: systemd's unit folder (a folder of the test's, with a
/// `systemctl` on PATH that starts the unit's ExecStart in the background) and the agent's listen address (loopback
/// instead of 0.0.0.0). A tampered archive stops the script before anything of it is unpacked or run.
/// </summary>
[Collection(PackagedArchives.Collection)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // bash, tar, sha256sum and linux-x64 programs
public sealed class AgentBundleBootTests(PackagedArchives archives) : IAsyncLifetime
{
    private readonly TempDirectory machine = new();
    private readonly TempDirectory data = new();
    private WebApplication controller = null!;
    private string controllerUrl = "";

    private string InstallDirectory => Path.Combine(machine.Path, "opt", "skyserve");
    private string UnitDirectory => Path.Combine(machine.Path, "etc", "systemd", "system");
    private string SystemctlLog => Path.Combine(machine.Path, "systemctl.log");
    private string AgentPidFile => Path.Combine(machine.Path, "agent.pid");

    public async Task InitializeAsync()
    {
        controller = await ControllerHost.BuildAsync(new ControllerOptions
        {
            DataDirectory = data.Path,
            Urls = "http://127.0.0.1:0",
            Agent = new AgentPackageOptions { PackagePath = archives.PathOf(PackagedArchives.Agent) },
            Reconcile = new ReconcileOptions { Enabled = false },
        }, provider: new FakeCloudProvider("gcp/us-central1/us-central1-a"));
        await controller.StartAsync();
        controllerUrl = controller.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async Task DisposeAsync()
    {
        await StopAgentAsync();
        await controller.StopAsync();
        await controller.DisposeAsync();
        machine.Dispose();
        data.Dispose();
    }

    [Fact]
    public async Task The_script_fetches_the_bundle_from_the_controller_checks_it_and_starts_the_agent()
    {
        var port = FreePort.Next();
        var offer = controller.Services.GetRequiredService<AgentPackages>().OfferAt(controllerUrl)!;
        var run = await RunBootScriptAsync(offer, port);
        Assert.True(run.ExitCode == 0, run.Output);

        Assert.True(File.Exists(Path.Combine(InstallDirectory, "agent", "SkyServe.ReplicaAgent")));
        Assert.False(File.Exists(Path.Combine(InstallDirectory, "agent.tar.gz")), "the download is removed once unpacked");
        using var http = LoopbackHttp.NewClient(new Uri($"http://127.0.0.1:{port}"));
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                using var health = await http.GetAsync("/health");
                return health.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), () => $"the agent never answered /health:\n{AgentLog()}");
    }

    [Fact]
    public async Task A_tampered_archive_stops_the_script_before_anything_is_unpacked_or_run()
    {
        var offer = controller.Services.GetRequiredService<AgentPackages>().OfferAt(controllerUrl)!;
        // What the machine downloads no longer hashes to what the controller wrote into its script.
        var tampered = offer with { Sha256 = new string('0', 64) };
        var run = await RunBootScriptAsync(tampered, FreePort.Next());

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("does not have the SHA-256", run.Stderr);
        Assert.False(Directory.Exists(Path.Combine(InstallDirectory, "agent")) &&
            Directory.EnumerateFileSystemEntries(Path.Combine(InstallDirectory, "agent")).Any(), "nothing is unpacked");
        Assert.False(File.Exists(Path.Combine(InstallDirectory, "agent.tar.gz")), "the bad download is removed");
        Assert.False(File.Exists(Path.Combine(InstallDirectory, "run-agent.sh")));
        Assert.False(File.Exists(SystemctlLog), "systemctl is never called");
    }

    private async Task<ProcessRunner.Result> RunBootScriptAsync(AgentPackage package, int port)
    {
        var agent = new AgentSettings
        {
            ControllerUrl = controllerUrl,
            ControllerToken = controller.Services.GetRequiredService<ScopedTokens>().AgentTokenFor(Guid.NewGuid()),
            Package = package,
        };
        var metadata = $"http://127.0.0.1:{FreePort.Next()}"; // nothing listens: the agent's watcher just keeps trying
        var script = AgentBootScript.Render(new AgentInstallOptions { InstallDirectory = InstallDirectory, Port = port },
                "us-central1-a/ss-boot-test", agent, MetadataFormats.Gcp, metadata)
            .Replace("/etc/systemd/system", UnitDirectory, StringComparison.Ordinal)
            .Replace("'--host' '0.0.0.0'", "'--host' '127.0.0.1'", StringComparison.Ordinal);
        Assert.Contains(UnitDirectory, script);
        Assert.Contains("'--host' '127.0.0.1'", script);
        Directory.CreateDirectory(UnitDirectory);

        var bin = Path.Combine(machine.Path, "bin");
        Directory.CreateDirectory(bin);
        var systemctl = Path.Combine(bin, "systemctl");
        await File.WriteAllTextAsync(systemctl, $$"""
            #!/bin/bash
            # systemd's part on the test machine: `enable --now UNIT` starts the unit's ExecStart in the background.
            set -euo pipefail
            echo "$*" >> '{{SystemctlLog}}'
            if [ "$1" = enable ] && [ "$2" = --now ]; then
              command=$(sed -n 's/^ExecStart=//p' '{{UnitDirectory}}'/"$3")
              nohup $command > '{{machine.Path}}/agent.log' 2>&1 < /dev/null &
              echo $! > '{{AgentPidFile}}'
            fi

            """);
        File.SetUnixFileMode(systemctl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = Path.Combine(machine.Path, "boot.sh");
        await File.WriteAllTextAsync(path, script);
        return await ProcessRunner.RunAsync("bash", [path], new Dictionary<string, string>
        {
            ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["no_proxy"] = "*", ["NO_PROXY"] = "*", // loopback only, whatever proxy the environment names
        }, workingDirectory: machine.Path, timeout: TimeSpan.FromMinutes(2));
    }

    private string AgentLog() => File.Exists(Path.Combine(machine.Path, "agent.log")) ? File.ReadAllText(Path.Combine(machine.Path, "agent.log")) : "(no log)";

    /// <summary>Stops the agent the script started (SIGTERM, as systemd would), and waits until it is gone.</summary>
    private async Task StopAgentAsync()
    {
        if (!File.Exists(AgentPidFile))
            return;
        var pid = File.ReadAllText(AgentPidFile).Trim();
        await ProcessRunner.RunAsync("kill", ["-TERM", pid]);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (IsRunning(pid) && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        if (IsRunning(pid))
            await ProcessRunner.RunAsync("kill", ["-KILL", pid]);
    }

    /// <summary>Alive and not a zombie (it is not this process's child, so it cannot be waited for).</summary>
    private static bool IsRunning(string pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
