using System.Net;
using System.Text.Json.Nodes;
using SkyServe.Contracts.Agent;
using SkyServe.ReplicaAgent.Tests.OpenAi;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>
/// The real agent process with the built-in engine and task files: the workdir and file mounts are put in place before
/// the model loads (the model being one of them), /health says so meanwhile, and the model then answers on the same port.
/// </summary>
public sealed class ModelTaskFilesAgentTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory root = new();
    private BlobServer controller = null!;

    private string Home => Path.Combine(root.Path, "home");

    public async Task InitializeAsync() => controller = await BlobServer.StartAsync();

    public async Task DisposeAsync()
    {
        await controller.DisposeAsync();
        root.Dispose();
    }

    /// <summary>As providers start it: the task files in SKYSERVE_TASK_FILES, the model path as the spec wrote it.</summary>
    private Task<AgentProcess> StartAsync(string model, TaskFiles files) =>
        AgentProcess.StartWithAsync(new Dictionary<string, string> { [SkyServe.Contracts.Notices.AgentApi.TaskFilesVariable] = files.ToJson() },
            "--model", model, "--model-cache", "none", "--readiness-path", "/v1/models", "--home", Home,
            "--controller-url", controller.Url.ToString(), "--controller-token", BlobServer.Token);

    /// <summary>The model /v1/models names; null while it does not answer 200 (or, between staging and serving, at all).</summary>
    private static async Task<string?> ServedModelAsync(AgentProcess agent)
    {
        try
        {
            using var response = await agent.Http.GetAsync("/v1/models");
            return response.StatusCode == HttpStatusCode.OK ? (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["data"]![0]!["id"] : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static Task WaitForModelAsync(AgentProcess agent, string name) =>
        Eventually.TrueAsync(async () => await ServedModelAsync(agent) == name, Patience, () => $"/v1/models serves {name}\n{agent.Output}");

    [Fact]
    public async Task A_model_in_an_uploaded_file_mount_loads_once_it_is_in_place_and_health_says_so_meanwhile()
    {
        var files = new TaskFiles
        {
            FileMounts = [new TaskFileMount { Target = "~/models/tiny", Blob = controller.Add(TaskArchives.FolderFrom(TinyLlamaAgent.Model)) }],
        };
        controller.Hold(); // the archive does not come until the test has seen the agent wait for it
        await using var agent = await StartAsync("~/models/tiny", files);

        var health = await agent.GetJsonAsync("/health");
        Assert.Equal("setting_up", (string?)health["engine"]!["state"]);
        Assert.Equal("fetching the workdir and file mounts", (string?)health["engine"]!["detail"]);
        Assert.False((bool)health["ready"]!);
        using (var notYet = await agent.Http.GetAsync("/v1/models"))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notYet.StatusCode);

        controller.Release();
        await WaitForModelAsync(agent, "tiny");
        Assert.True(File.Exists(Path.Combine(Home, "models", "tiny", "model.safetensors")));
        Assert.Null((await agent.GetJsonAsync("/health"))["engine"]); // the built-in engine's own health from here on
    }

    [Fact]
    public async Task A_relative_model_path_is_found_in_the_workdir()
    {
        var files = new TaskFiles { Workdir = new TaskWorkdir { Blob = controller.Add(TaskArchives.FolderFrom(TinyLlamaAgent.Model, prefix: "weights/")) } };
        await using var agent = await StartAsync("weights", files);
        await WaitForModelAsync(agent, "weights");
        Assert.True(File.Exists(Path.Combine(Home, "sky_workdir", "weights", "config.json")));
    }

    [Fact]
    public async Task A_model_fetched_file_by_file_over_http_loads()
    {
        var mounts = Directory.GetFiles(TinyLlamaAgent.Model).Select(file => new TaskFileMount
        {
            Target = $"~/models/remote/{Path.GetFileName(file)}",
            Source = controller.AddFileBytes("tiny/" + Path.GetFileName(file), File.ReadAllBytes(file)),
        }).ToList();
        await using var agent = await StartAsync("~/models/remote", new TaskFiles { FileMounts = mounts });
        await WaitForModelAsync(agent, "remote");
    }

    [Fact]
    public async Task Files_that_cannot_be_fetched_fail_the_replica_and_no_model_loads()
    {
        var missing = "sha256:" + new string('3', 64);
        await using var agent = await StartAsync("~/models/tiny", new TaskFiles { FileMounts = [new TaskFileMount { Target = "~/models/tiny", Blob = missing }] });

        await Eventually.TrueAsync(async () => (string?)(await agent.GetJsonAsync("/health"))["status"] == "failed", Patience,
            () => $"health failed\n{agent.Output}");
        var engine = (await agent.GetJsonAsync("/health"))["engine"]!;
        Assert.Equal("setup_failed", (string?)engine["state"]);
        Assert.Contains($"file_mounts.~/models/tiny: the controller answered 404 Not Found for {missing}", (string?)engine["detail"]);
        using var models = await agent.Http.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, models.StatusCode);
    }
}
