using System.Text.Json.Nodes;
using SkyServe.Contracts.Agent;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>
/// The real agent process with --task-files: the workdir and mounts are in place before setup, setup and run execute in
/// ~/sky_workdir with $HOME the --home folder, and a source that cannot be fetched fails the replica as a failing setup does.
/// </summary>
public sealed class TaskFilesAgentTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory root = new();
    private readonly string marker = FakeEngine.NewMarker();
    private BlobServer controller = null!;

    private string Home => Path.Combine(root.Path, "home");

    public async Task InitializeAsync() => controller = await BlobServer.StartAsync();

    public async Task DisposeAsync()
    {
        await controller.DisposeAsync();
        root.Dispose();
    }

    /// <param name="inEnvironment">Give them as providers do, in SKYSERVE_TASK_FILES; else as --task-files.</param>
    private Task<AgentProcess> StartAsync(TaskFiles files, string setup, bool inEnvironment = false)
    {
        string[] args = [.. FakeEngine.AgentArgs(Path.Combine(root.Path, "work"), FakeEngine.Run(marker), "--setup", setup,
            "--home", Home, "--controller-url", controller.Url.ToString(), "--controller-token", BlobServer.Token)];
        return inEnvironment
            ? AgentProcess.StartWithAsync(new Dictionary<string, string> { [SkyServe.Contracts.Notices.AgentApi.TaskFilesVariable] = files.ToJson() }, args)
            : AgentProcess.StartAsync([.. args, "--task-files", files.ToJson()]);
    }

    private static async Task<JsonObject> EngineAsync(AgentProcess agent) => (JsonObject)(await agent.GetJsonAsync("/health"))["engine"]!;

    private static Task WaitForStateAsync(AgentProcess agent, string state) =>
        Eventually.TrueAsync(async () => (string?)(await EngineAsync(agent))["state"] == state, Patience,
            () => $"engine state {state}; health {agent.GetJsonAsync("/health").Result.ToJsonString()}\n{agent.Output}");

    [Fact]
    public async Task Setup_and_run_execute_in_sky_workdir_with_the_mounts_in_place()
    {
        var files = new TaskFiles
        {
            Workdir = new TaskWorkdir { Blob = controller.Add(TaskArchives.Folder(("app.txt", "from the workdir"))) },
            FileMounts = [new TaskFileMount { Target = "~/greeting.txt", Blob = controller.Add(TaskArchives.SingleFile("greeting.txt", "from a mount")) }],
        };
        await using var agent = await StartAsync(files, "echo \"pwd=$PWD home=$HOME tf=${SKYSERVE_TASK_FILES:-unset}\"; cat app.txt; echo; cat ~/greeting.txt",
            inEnvironment: true);

        await WaitForStateAsync(agent, "running");
        var workdir = Path.Combine(Home, "sky_workdir");
        Assert.Equal(workdir, (string?)(await EngineAsync(agent))["workdir"]);
        var logs = await agent.Http.GetStringAsync("/logs?tail=100");
        Assert.Contains($"pwd={workdir} home={Home} tf=unset", logs); // read from the environment, and removed from it
        Assert.Contains("from the workdir", logs);
        Assert.Contains("from a mount", logs);
        Assert.Contains($"run: bash -c 'exec python3", logs);
        Assert.Contains($"(in {workdir}, PORT=", logs);
    }

    [Fact]
    public async Task A_mount_that_cannot_be_fetched_fails_the_replica_before_setup()
    {
        var missing = "sha256:" + new string('2', 64);
        await using var agent = await StartAsync(new TaskFiles { FileMounts = [new TaskFileMount { Target = "~/data", Blob = missing }] }, "echo setup-ran");

        await WaitForStateAsync(agent, "setup_failed");
        var health = await agent.GetJsonAsync("/health");
        Assert.Equal("failed", (string?)health["status"]);
        var detail = (string?)health["engine"]!["detail"];
        Assert.Contains("the workdir and file mounts could not be put in place", detail);
        Assert.Contains($"file_mounts.~/data: the controller answered 404 Not Found for {missing}", detail);
        var logs = await agent.Http.GetStringAsync("/logs?tail=100");
        Assert.Contains("file_mounts.~/data: the controller answered 404", logs);
        Assert.DoesNotContain("setup-ran", logs);
    }
}
