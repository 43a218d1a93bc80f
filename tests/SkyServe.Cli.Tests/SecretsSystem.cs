using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SkyServe.Testing;

namespace SkyServe.Cli.Tests;

/// <summary>
/// `skyserve local start` as a user runs it, given its API token through --token-file, serving one READY replica of
/// a spec whose envs hold a planted secret and whose <c>secrets:</c> hold one in the YAML and one left null and given
/// with <c>up --secret HF_TOKEN</c> (taken from the CLI's environment): shared by the tests that look for secrets where
/// they must not be.
/// </summary>
public sealed partial class SecretsSystem : IAsyncLifetime
{
    private readonly TempDirectory root = new();

    /// <summary>Planted in the spec's envs as SECRET_KEY.</summary>
    public string Secret { get; } = $"planted-secret-{Guid.NewGuid():N}";

    /// <summary>Planted in the spec's secrets as API_SECRET.</summary>
    public string YamlSecret { get; } = $"yaml-secret-{Guid.NewGuid():N}";

    /// <summary>Given as HF_TOKEN with up --secret HF_TOKEN, from the CLI's environment (the spec leaves it null).</summary>
    public string CliSecret { get; } = $"cli-secret-{Guid.NewGuid():N}";

    /// <summary>The CLI's environment for every command: HF_TOKEN set, as a user exports it before --secret HF_TOKEN.</summary>
    public IReadOnlyDictionary<string, string> CliEnvironment => new Dictionary<string, string> { ["HF_TOKEN"] = CliSecret };

    /// <summary>Planted as the API token, through --token-file.</summary>
    public string Token { get; } = $"sks_planted{Guid.NewGuid():N}";

    /// <summary>SKYSERVE_HOME: created by the CLI itself, so its mode is the CLI's doing.</summary>
    public string Home => Path.Combine(root.Path, "home");
    public string DataDirectory => Path.Combine(root.Path, "data");
    public string SpecFile => Path.Combine(root.Path, "secret.yaml");

    public SkyServeCli Cli { get; private set; } = null!;
    public LocalController Controller { get; private set; } = null!;
    public HttpClient Api { get; } = new(new SocketsHttpHandler { UseProxy = false });
    public string LoadBalancerUrl => LoadBalancerLine().Match(Controller.Output).Groups[1].Value;

    public async Task InitializeAsync()
    {
        Cli = new SkyServeCli(Home);
        var tokenFile = Path.Combine(root.Path, "token");
        await File.WriteAllTextAsync(tokenFile, Token + "\n");
        await File.WriteAllTextAsync(SpecFile, $"""
            name: ext
            service:
              readiness_probe: /health
              replicas: 1
              ports: 8080
            resources:
              cloud: aws
              cpus: 8
            envs:
              SECRET_KEY: {Secret}  # planted
              PLAIN: visible-name
            secrets:
              API_SECRET: {YamlSecret}  # planted
              HF_TOKEN: null
            setup: test -n "$SECRET_KEY" && test -n "$API_SECRET" && test -n "$HF_TOKEN"
            run: exec python3 {Path.Combine(RepoPaths.Root, "tests", "fixtures", "fake-engine", "engine.py")}
            """);
        Controller = await LocalController.StartAsync(Cli, DataDirectory, extraArgs: ["--token-file", tokenFile]);
        Api.BaseAddress = new Uri(Controller.Url);
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        var up = await Cli.RunWithAsync(CliEnvironment, "up", SpecFile, "--secret", "HF_TOKEN");
        Assert.True(up.ExitCode == 0, up.Output + "\n" + Controller.Output);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        ProcessRunner.Result status;
        while (!ReadyReplica().IsMatch((status = await Cli.RunAsync("status", "ext")).Stdout))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no READY replica within 45 s:\n{status.Output}\n{Controller.Output}");
            await Task.Delay(300);
        }
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        if (Controller is not null)
            await Controller.DisposeAsync();
        root.Dispose();
    }

    public async Task<string> GetAsync(string path)
    {
        using var response = await Api.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} from {path}: {body}");
        return body;
    }

    /// <summary>Every agent's own controller token, from the local runtime's machine registry.</summary>
    public IReadOnlyList<string> AgentTokens()
    {
        var registry = JsonNode.Parse(File.ReadAllText(Path.Combine(DataDirectory, "local", "machines.json")))!;
        return Strings(registry).Where(p => p.Name == "controller_token").Select(p => p.Value).Distinct().ToList();

        static IEnumerable<(string Name, string Value)> Strings(JsonNode? node) => node switch
        {
            JsonObject o => o.SelectMany(p => p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? [(p.Key, s)] : Strings(p.Value)),
            JsonArray a => a.SelectMany(Strings),
            _ => [],
        };
    }

    [GeneratedRegex(@"\n1\s+1\s+READY")]
    private static partial Regex ReadyReplica();

    [GeneratedRegex(@"load balancer: \S+ or (http://\S+)NAME/")]
    private static partial Regex LoadBalancerLine();
}
