using System.Diagnostics;
using System.Text.RegularExpressions;
using SkyServe.Providers.Boot;
using SkyServe.Testing;

namespace SkyServe.Providers.Tests.Boot;

/// <summary>
/// The first-boot script is bash that a VM runs as root; these tests check its syntax with bash and run the two files it
/// writes (the environment and the agent's launcher) with a stand-in agent, so quoting is proven by a shell, not by eye.
/// </summary>
public sealed partial class AgentBootScriptTests : IDisposable
{
    private readonly TempDirectory directory = new();

    private static readonly Dictionary<string, string> Nasty = new()
    {
        ["PLAIN"] = "llama",
        ["QUOTES"] = "it's \"quoted\"",
        ["EXPANSIONS"] = "$HOME `id` $(rm -rf /) \\n ${PATH}",
        ["LINES"] = "first\nSKYSERVE_EOF_0000000000000000\nlast",
        ["EMPTY"] = "",
    };

    private string Render(Dictionary<string, string> environment, string machineId = "us-central1-a/ss-0123") =>
        AgentBootScript.Render(new AgentInstallOptions { PackageUrl = "https://example.com/agent.tar.gz?sig=a&b=c'd", InstallDirectory = directory.Path, Port = 8123 },
            machineId, new AgentSettings { ReadinessPath = "/v1/models", Environment = environment }, "gcp", "http://metadata.google.internal");

    [Fact]
    public async Task The_script_is_valid_bash()
    {
        var script = Path.Combine(directory.Path, "boot.sh");
        await File.WriteAllTextAsync(script, Render(Nasty));
        var (code, output) = await RunAsync("bash", "-n", script);
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task The_agent_starts_with_its_arguments_and_environment_byte_for_byte()
    {
        var script = Render(Nasty, machineId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/ss-1");
        var values = await RunLauncherAsync(script, "printf '%s\\0' \"$PLAIN\" \"$QUOTES\" \"$EXPANSIONS\" \"$LINES\" \"${EMPTY-unset}\"");
        Assert.Equal(
        [
            "--host", "0.0.0.0", "--port", "8123", "--machine-id", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/ss-1",
            "--readiness-path", "/v1/models", "--metadata-url", "http://metadata.google.internal", "--metadata-format", "gcp",
            Nasty["PLAIN"], Nasty["QUOTES"], Nasty["EXPANSIONS"], Nasty["LINES"], "",
        ], values);
    }

    [Fact]
    public async Task The_agent_serves_the_specs_model_from_a_cache_and_reports_to_the_controller_with_its_token()
    {
        var agent = new AgentSettings
        {
            Model = new AgentModel { Path = "https://models.example.com/tiny-chat/", ServedName = "tiny-chat" },
            ControllerUrl = "http://10.0.0.2:30580", ControllerToken = "ska_replica_token",
        };
        var script = Render(agent);
        Assert.DoesNotContain("--controller-token", script, StringComparison.Ordinal);
        var values = await RunLauncherAsync(script, "printf '%s\\0' \"$SKYSERVE_CONTROLLER_TOKEN\" \"$(pwd)\"");
        Assert.Equal(
        [
            "--host", "0.0.0.0", "--port", "8123", "--machine-id", "us-central1-a/ss-0123", "--readiness-path", "/ready",
            "--metadata-url", "http://metadata.google.internal", "--metadata-format", "gcp",
            "--model", "https://models.example.com/tiny-chat/", "--served-model-name", "tiny-chat", "--max-batch-size", "32", "--engine", "cpu",
            "--controller-url", "http://10.0.0.2:30580", "--model-cache", directory.Path + "/models",
            "ska_replica_token", directory.Path, // the token in the environment; relative model paths resolve against the install folder
        ], values);
    }

    [Fact]
    public async Task The_agent_runs_the_specs_commands_in_its_work_folder_on_the_specs_port()
    {
        var run = "vllm serve meta-llama/Llama-3.1-8B-Instruct --port $PORT \\\n  --served-model-name 'it''s'";
        var script = Render(new AgentSettings { Run = run, Setup = "pip install vllm==0.6.3", EnginePort = 8000 });
        var values = await RunLauncherAsync(script, "");
        Assert.Equal(
        [
            "--host", "0.0.0.0", "--port", "8123", "--machine-id", "us-central1-a/ss-0123", "--readiness-path", "/ready",
            "--metadata-url", "http://metadata.google.internal", "--metadata-format", "gcp",
            "--run", run, "--setup", "pip install vllm==0.6.3", "--engine-port", "8000", "--workdir", directory.Path + "/work",
        ], values);
        Assert.True(Directory.Exists(Path.Combine(directory.Path, "work")));
    }

    private string Render(AgentSettings agent) =>
        AgentBootScript.Render(new AgentInstallOptions { PackageUrl = "https://example.com/agent.tar.gz", InstallDirectory = directory.Path, Port = 8123 },
            "us-central1-a/ss-0123", agent, "gcp", "http://metadata.google.internal");

    /// <summary>
    /// Writes the files the script writes, as it writes them, then runs its launcher with a stand-in agent that prints
    /// its arguments NUL-separated, then whatever <paramref name="alsoPrint"/> prints.
    /// </summary>
    private async Task<string[]> RunLauncherAsync(string script, string alsoPrint)
    {
        foreach (Match file in HereDocument().Matches(script))
        {
            var path = file.Groups["path"].Value.Replace("$dir", directory.Path, StringComparison.Ordinal);
            if (path.StartsWith(directory.Path, StringComparison.Ordinal))
                await File.WriteAllTextAsync(path, file.Groups["content"].Value);
        }
        Directory.CreateDirectory(Path.Combine(directory.Path, "agent"));
        var agent = Path.Combine(directory.Path, "agent", "SkyServe.ReplicaAgent");
        await File.WriteAllTextAsync(agent, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done\n" + alsoPrint + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(agent, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var (code, output) = await RunAsync("sh", Path.Combine(directory.Path, "run-agent.sh"));
        Assert.True(code == 0, output);
        return output.Split('\0')[..^1];
    }

    [Fact]
    public void The_systemd_unit_restarts_the_agent_and_the_package_url_is_quoted()
    {
        var script = Render(new Dictionary<string, string>());
        Assert.Contains($"ExecStart={directory.Path}/run-agent.sh", script, StringComparison.Ordinal);
        Assert.Contains("Restart=on-failure", script, StringComparison.Ordinal);
        Assert.Contains("'https://example.com/agent.tar.gz?sig=a&b=c'\\''d'", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_configured_url_the_controllers_archive_is_fetched_with_the_token_on_stdin_and_checked_before_it_is_unpacked()
    {
        var sha256 = new string('0', 63) + "f";
        var agent = new AgentSettings
        {
            ControllerToken = "ska_replica_token",
            Package = new AgentPackage("http://10.0.0.2:30580/api/v1/agent/package", sha256) { WithAgentToken = true },
        };
        var script = AgentBootScript.Render(new AgentInstallOptions { InstallDirectory = directory.Path }, "m", agent, "gcp", "http://metadata.google.internal");
        Assert.Contains("printf '%s\\n' 'header = \"Authorization: Bearer ska_replica_token\"' | curl -fsSL --retry 10 --retry-delay 3 --create-dirs "
            + "-o \"$dir/agent.tar.gz\" 'http://10.0.0.2:30580/api/v1/agent/package' --config -\n", script);
        Assert.Contains($"if ! printf '%s  %s\\n' '{sha256}' \"$dir/agent.tar.gz\" | sha256sum -c --quiet -; then\n", script);
        Assert.True(script.IndexOf("sha256sum", StringComparison.Ordinal) < script.IndexOf("tar -xzf", StringComparison.Ordinal), "checked before unpacked");
        var path = Path.Combine(directory.Path, "boot.sh");
        await File.WriteAllTextAsync(path, script);
        var (code, output) = await RunAsync("bash", "-n", path);
        Assert.True(code == 0, output);
    }

    [Fact]
    public void A_configured_url_overrides_the_controllers_archive_is_checked_with_the_configured_digest_and_never_sees_the_token()
    {
        var sha256 = new string('b', 64);
        var agent = new AgentSettings
        {
            ControllerToken = "ska_replica_token",
            Package = new AgentPackage("http://10.0.0.2:30580/api/v1/agent/package", new string('0', 64)) { WithAgentToken = true },
        };
        var install = new AgentInstallOptions { PackageUrl = "https://bucket.example.com/agent.tar.gz", PackageSha256 = sha256.ToUpperInvariant(), InstallDirectory = directory.Path };
        var script = AgentBootScript.Render(install, "m", agent, "gcp", "http://metadata.google.internal");
        Assert.Contains("\ncurl -fsSL --retry 10 --retry-delay 3 --create-dirs -o \"$dir/agent.tar.gz\" 'https://bucket.example.com/agent.tar.gz'\n", script);
        Assert.Contains($"'{sha256}'", script); // sha256sum prints lowercase
        Assert.DoesNotContain("10.0.0.2:30580/api/v1/agent/package", script);
        Assert.DoesNotContain("Authorization", script);
    }

    [Fact]
    public void Without_a_configured_url_or_a_controllers_archive_the_launch_is_an_invalid_request()
    {
        var error = Assert.Throws<CloudProviderException>(() =>
            AgentBootScript.Render(new AgentInstallOptions { InstallDirectory = directory.Path }, "m", new AgentSettings(), "gcp", "http://metadata.google.internal"));
        Assert.Equal(CloudErrorKind.InvalidRequest, error.Kind);
        Assert.Contains("Agent:PackageUrl", error.Message);
    }

    [Fact]
    public void An_environment_name_a_shell_cannot_hold_is_an_invalid_request()
    {
        var error = Assert.Throws<CloudProviderException>(() => Render(new Dictionary<string, string> { ["BAD NAME"] = "x" }));
        Assert.Equal(CloudErrorKind.InvalidRequest, error.Kind);
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output + error);
    }

    public void Dispose() => directory.Dispose();

    [GeneratedRegex("""cat > "(?<path>[^"]+)" <<'(?<delimiter>SKYSERVE_EOF_[0-9A-F]{16})'\n(?<content>.*?\n)\k<delimiter>\n""", RegexOptions.Singleline)]
    private static partial Regex HereDocument();
}
