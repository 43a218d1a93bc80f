using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using SkyServe.Inference.Checkpoints;
using SkyServe.Inference.Tokenization;
using SkyServe.ReplicaAgent.Hosting;
using SkyServe.Inference.Tests.Checkpoints;
using SkyServe.Inference.Tests.Model;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>The real agent with --model URL and --model-cache: status line, serving, sharing the cache between processes, errors.</summary>
public sealed class ModelCacheAgentTests : IAsyncLifetime
{
    private readonly TempDirectory temp = new();
    private ModelFileServer server = null!;

    private string Cache => Path.Combine(temp.Path, "cache");

    public async Task InitializeAsync() => server = await ModelFileServer.StartAsync();

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        temp.Dispose();
    }

    private static Task<ProcessRunner.Result> RunAgentAsync(params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [AgentProcess.Dll, .. args], new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1" },
            AppContext.BaseDirectory, TimeSpan.FromSeconds(60));

    private Uri ServeLlama()
    {
        var folder = ModelFolders.Copy(ReferenceFixture.Llama, temp.Path, "tiny-llama");
        ModelManifest.Write(folder);
        return server.Serve("tiny-llama", folder);
    }

    private static async Task AssertGreedyCompletionAsync(AgentProcess agent)
    {
        var fixture = ReferenceFixture.Load(ReferenceFixture.Llama);
        var response = await agent.Http.PostAsJsonAsync("/v1/completions",
            new { model = "tiny-llama", prompt = fixture.Cases[0].Prompt, max_tokens = 12, temperature = 0, ignore_eos = true });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var expected = Tokenizer.Load(fixture.Directory).Decode(fixture.Cases[0].Greedy, skipSpecialTokens: true);
        Assert.Equal(expected, body["choices"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Serves_a_model_from_a_url_and_reports_the_load_on_its_status_line()
    {
        var url = ServeLlama();
        await using (var first = await AgentProcess.StartAsync("--model", url.AbsoluteUri, "--model-cache", Cache))
        {
            var line = Assert.Single(first.Stdout.Split('\n'), l => l.StartsWith("ReplicaAgent model "));
            Assert.Matches(@"^ReplicaAgent model tiny-llama loaded: [\d.]+ MB of weights in [\d.]+ s \([\d.]+ GB/s\) from the packed layout; cache miss: fetched [\d.]+ MB in [\d.]+ s, converted in [\d.]+ s; total [\d.]+ s$", line);
            await AssertGreedyCompletionAsync(first);
        }
        await using var second = await AgentProcess.StartAsync("--model", url.AbsoluteUri, "--model-cache", Cache);
        Assert.Contains("from the packed layout; cache hit; total", second.Stdout);
        Assert.Equal(1, server.Gets("tiny-llama", "model.safetensors"));
        await AssertGreedyCompletionAsync(second);
    }

    [Fact]
    public async Task Two_agents_fetching_one_url_at_once_download_it_once()
    {
        var url = ServeLlama();
        server.Slow = (".safetensors", TimeSpan.FromSeconds(1));
        var agents = await Task.WhenAll(
            AgentProcess.StartAsync("--model", url.AbsoluteUri, "--model-cache", Cache),
            AgentProcess.StartAsync("--model", url.AbsoluteUri, "--model-cache", Cache));
        try
        {
            Assert.Equal(1, server.Gets("tiny-llama", "model.safetensors"));
            Assert.Single(Directory.GetDirectories(Path.Combine(Cache, "entries")));
            Assert.Single(agents, agent => agent.Stdout.Contains("cache miss"));
            Assert.Single(agents, agent => agent.Stdout.Contains("waiting for another process"));
            foreach (var agent in agents)
                await AssertGreedyCompletionAsync(agent);
        }
        finally
        {
            foreach (var agent in agents)
                await agent.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_unreachable_url_exits_1_with_the_reason()
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}/models/gone/";
        var result = await RunAgentAsync("--port", "0", "--model", url, "--model-cache", Cache);
        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}:\n{result.Output}");
        Assert.Contains($"cannot load the model: cannot fetch {url}{ModelManifest.FileName}", result.Stderr);
        Assert.DoesNotContain("listening", result.Stdout);
    }

    [Theory]
    [InlineData("--model-cache-quota-gb must be a positive number", "--model-cache-quota-gb", "lots")]
    [InlineData("--model-cache-quota-gb must be a positive number", "--model-cache-quota-gb", "0")]
    [InlineData("not a usable model URL", "--model", "https://example.com/model?rev=2")]
    [InlineData("needs a model cache", "--model", "https://example.com/model/", "--model-cache", "none")]
    public async Task Misuse_of_the_model_flags_exits_2(string message, params string[] args)
    {
        var result = await RunAgentAsync(["--port", "0", .. args]);
        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}:\n{result.Output}");
        Assert.Contains(message, result.Stderr);
    }

    [Fact]
    public void Cache_flags_are_read_with_their_defaults()
    {
        var given = AgentCommandLine.Parse(["--port", "0", "--model-cache", "/srv/models", "--model-cache-quota-gb=2.5"]);
        Assert.Equal("/srv/models", given.ModelCacheDirectory);
        Assert.Equal(2_500_000_000, given.ModelCacheQuotaBytes);

        var defaults = AgentCommandLine.Parse(["--port", "0"]);
        Assert.Equal(CheckpointCache.DefaultRoot(), defaults.ModelCacheDirectory);
        Assert.Equal(AgentOptions.DefaultModelCacheQuotaBytes, defaults.ModelCacheQuotaBytes);

        Assert.Null(AgentCommandLine.Parse(["--port", "0", "--model-cache", "none"]).ModelCacheDirectory);
    }

    [Fact]
    public async Task Write_manifest_lists_the_model_files_with_their_sizes_and_sha256()
    {
        var folder = ModelFolders.Copy(ReferenceFixture.Qwen2, temp.Path, "qwen");
        var result = await RunAgentAsync("--write-manifest", folder);
        Assert.True(result.ExitCode == 0, result.Output);

        var manifest = ModelManifest.Parse(File.ReadAllBytes(Path.Combine(folder, ModelManifest.FileName)), "test");
        Assert.Equal(["config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"], manifest.Files.Select(f => f.Path));
        var weights = manifest.Files.Single(f => f.Path == "model.safetensors");
        Assert.Equal(new FileInfo(Path.Combine(folder, "model.safetensors")).Length, weights.Size);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, "model.safetensors")))), weights.Sha256);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, ModelManifest.FileName)));
        Assert.Equal(JsonValueKind.Array, json.RootElement.GetProperty("files").ValueKind);
    }
}
