using System.Text.Json.Nodes;
using SkyServe.Testing;

namespace SkyServe.Cli.Tests;

/// <summary>
/// Secrets stay secret (issues 12 and 17): with a READY replica running a spec whose envs hold a planted secret and
/// whose secrets hold one in the YAML and one given with --secret, and the API token given through a file, no file or
/// folder is open to other users, and neither the secrets nor any token shows in an API response, CLI output, event,
/// log file, the controller's output or any process's command line; show_secrets reveals env values only.
/// </summary>
public sealed class SecretsTests(SecretsSystem system) : IClassFixture<SecretsSystem>
{
    private const UnixFileMode GroupOrOther = (UnixFileMode)0x3F;

    [Fact]
    public void Every_file_and_folder_it_creates_is_owner_only()
    {
        var loose = new List<string>();
        foreach (var top in new[] { system.Home, system.DataDirectory })
        {
            Check(new DirectoryInfo(top));
            foreach (var entry in new DirectoryInfo(top).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
                Check(entry);
        }
        Assert.True(loose.Count == 0, "open to group or others:\n" + string.Join('\n', loose));

        // The files the issue named are among those checked.
        var data = system.DataDirectory;
        foreach (var file in new[] { "skyserve.db", "skyserve.db-wal", "skyserve.db-shm", "local/machines.json" })
            Assert.True(File.Exists(Path.Combine(data, file)), $"{file} is missing");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(data, "local", "logs"), "*.log"));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(data, "local", "work"), "engine.log", SearchOption.AllDirectories));
        Assert.True(File.Exists(Path.Combine(system.Home, "config.json")));

        void Check(FileSystemInfo entry)
        {
            var mode = entry.UnixFileMode & (UnixFileMode)0x1FF;
            var ok = entry is DirectoryInfo ? mode == (UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute) : (mode & GroupOrOther) == 0;
            if (!ok)
                loose.Add($"{Convert.ToString((int)mode, 8)} {entry.FullName}");
        }
    }

    [Fact]
    public async Task Planted_secrets_show_nowhere_unless_asked_for()
    {
        var secrets = new List<string> { system.Secret, system.Token, system.YamlSecret, system.CliSecret };
        secrets.AddRange(system.AgentTokens());
        Assert.True(secrets.Count >= 3, "the replica's agent has a controller token");

        var seen = new Dictionary<string, string>();
        foreach (var path in new[]
        {
            "/api/v1/services", "/api/v1/services/ext", "/api/v1/services/ext/replicas", "/api/v1/services/ext/replicas?all=true",
            "/api/v1/services/ext/events", "/api/v1/services/ext/replicas/1/logs", "/api/v1/summary",
        })
            seen["GET " + path] = await system.GetAsync(path);
        foreach (var args in new[]
        {
            ["status"], ["status", "--all"], ["status", "--json"], ["status", "ext", "--json"], ["events", "ext"], ["replicas", "ext"],
            ["logs", "ext", "--tail", "100"], ["validate", system.SpecFile, "--json", "--secret", "HF_TOKEN"],
            new[] { "validate", system.SpecFile, "--secret", "HF_TOKEN" },
        })
        {
            var run = await system.Cli.RunWithAsync(system.CliEnvironment, args);
            Assert.True(run.ExitCode == 0, $"skyserve {string.Join(' ', args)}: {run.Output}");
            seen["skyserve " + string.Join(' ', args)] = run.Output;
        }
        seen["local start's output"] = system.Controller.Output;
        foreach (var file in Directory.EnumerateFiles(system.DataDirectory, "*", SearchOption.AllDirectories))
        {
            // The registry and the database must hold them (both 0600, see the test above); logs and the rest must not.
            var name = Path.GetFileName(file);
            if (!name.StartsWith("skyserve.db", StringComparison.Ordinal) && name != "machines.json")
                seen[file] = await File.ReadAllTextAsync(file);
        }
        foreach (var cmdline in Directory.EnumerateFiles("/proc", "cmdline", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 1 }))
        {
            try
            {
                seen[cmdline] = (await File.ReadAllTextAsync(cmdline)).Replace('\0', ' ');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // the process has exited
            }
        }

        var leaks = seen.SelectMany(s => secrets.Where(secret => s.Value.Contains(secret, StringComparison.Ordinal)).Select(secret => $"{s.Key} holds {secret}"));
        Assert.True(!leaks.Any(), string.Join('\n', leaks));

        // Names stay visible, values are redacted, in the effective spec and in the text as submitted.
        var detail = JsonNode.Parse(seen["GET /api/v1/services/ext"])!;
        Assert.Equal("<redacted>", detail["spec"]!["envs"]!["SECRET_KEY"]!.GetValue<string>());
        Assert.Contains("SECRET_KEY: \"<redacted>\"  # planted", detail["versions"]![0]!["spec_text"]!.GetValue<string>());
        Assert.Contains("\"SECRET_KEY\": \"<redacted>\"", seen["skyserve validate " + system.SpecFile + " --json --secret HF_TOKEN"]);
        Assert.Equal("<redacted>", detail["spec"]!["secrets"]!["API_SECRET"]!.GetValue<string>());
        Assert.Equal("<redacted>", detail["spec"]!["secrets"]!["HF_TOKEN"]!.GetValue<string>());
        Assert.Contains("API_SECRET: \"<redacted>\"  # planted", detail["versions"]![0]!["spec_text"]!.GetValue<string>());

        // Asked for, env values show but secret values never do; and the engine has its environment, secrets included.
        var revealedText = await system.GetAsync("/api/v1/services/ext?show_secrets=true");
        var revealed = JsonNode.Parse(revealedText)!;
        Assert.Equal("<redacted>", revealed["spec"]!["secrets"]!["API_SECRET"]!.GetValue<string>());
        var shownOutputs = new[]
        {
            revealedText,
            (await system.Cli.RunWithAsync(system.CliEnvironment, "status", "ext", "--json", "--show-secrets")).Stdout,
            (await system.Cli.RunWithAsync(system.CliEnvironment, "validate", system.SpecFile, "--json", "--show-secrets", "--secret", "HF_TOKEN")).Stdout,
        };
        foreach (var secret in new[] { system.YamlSecret, system.CliSecret })
            Assert.All(shownOutputs, output => Assert.DoesNotContain(secret, output, StringComparison.Ordinal));
        Assert.Equal(system.Secret, revealed["spec"]!["envs"]!["SECRET_KEY"]!.GetValue<string>());
        Assert.Contains(system.Secret, revealed["versions"]![0]!["spec_text"]!.GetValue<string>());
        Assert.Contains(system.Secret, shownOutputs[1]);
        Assert.Contains(system.Secret, shownOutputs[2]);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        Assert.Contains(system.Secret, await http.GetStringAsync($"{system.LoadBalancerUrl}ext/info?env=SECRET_KEY"));
        Assert.Contains(system.YamlSecret, await http.GetStringAsync($"{system.LoadBalancerUrl}ext/info?env=API_SECRET"));
        Assert.Contains(system.CliSecret, await http.GetStringAsync($"{system.LoadBalancerUrl}ext/info?env=HF_TOKEN"));
    }

    [Fact]
    public async Task Status_endpoint_prints_the_endpoint_alone_once_the_load_balancer_reports_it()
    {
        // A load balancer names its endpoint with the stats it posts for a service it has served (once it routes to it).
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(await http.GetAsync($"{system.LoadBalancerUrl}ext/info")).IsSuccessStatusCode)
        {
            Assert.True(DateTime.UtcNow < deadline, "the load balancer never routed to ext");
            await Task.Delay(300);
        }
        ProcessRunner.Result endpoint;
        while ((endpoint = await system.Cli.RunAsync("status", "--endpoint", "ext")).ExitCode != 0)
        {
            Assert.Contains("has no endpoint yet", endpoint.Stderr);
            Assert.True(DateTime.UtcNow < deadline, endpoint.Output);
            await Task.Delay(300);
        }
        Assert.Matches(@"^http://\S+\n$", endpoint.Stdout);
        var missing = await system.Cli.RunAsync("status", "--endpoint");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("--endpoint needs a service name", missing.Stderr);
    }
}
