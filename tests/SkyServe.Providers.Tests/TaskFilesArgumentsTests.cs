using SkyServe.Contracts.Agent;
using SkyServe.Contracts.Notices;

namespace SkyServe.Providers.Tests;

/// <summary>
/// Every provider gives the agent the launch's workdir and file mounts in its environment (with --run or --model), never on
/// its command line: a source URL may hold a SAS.
/// </summary>
public sealed class TaskFilesArgumentsTests
{
    private static readonly TaskFiles Files = new()
    {
        Workdir = new TaskWorkdir { Blob = "sha256:" + new string('a', 64) },
        FileMounts =
        [
            new TaskFileMount { Target = "~/data", Blob = "sha256:" + new string('b', 64) },
            new TaskFileMount { Target = "/mnt/weights", Source = "https://acct.blob.core.windows.net/c/w?sig=SECRET", Mode = TaskFileModes.MountCached },
        ],
    };

    [Fact]
    public void Run_with_task_files_passes_them_in_the_environment_as_json_that_reads_back_the_same()
    {
        var agent = new AgentSettings { Run = "python3 server.py", TaskFiles = Files };
        var json = AgentServingArguments.Environment(agent)[AgentApi.TaskFilesVariable];
        var back = TaskFiles.Parse(json);
        Assert.Equal(Files.Workdir, back.Workdir);
        Assert.Equal(Files.FileMounts, back.FileMounts);
        Assert.DoesNotContain(AgentServingArguments.For(agent, null, 0, "/work"), a => a.Contains("SECRET", StringComparison.Ordinal) || a == AgentFlags.TaskFiles);
    }

    [Fact]
    public void Without_task_files_or_without_an_engine_there_is_nothing()
    {
        Assert.False(AgentServingArguments.Environment(new AgentSettings { Run = "x" }).ContainsKey(AgentApi.TaskFilesVariable));
        Assert.False(AgentServingArguments.Environment(new AgentSettings { TaskFiles = Files }).ContainsKey(AgentApi.TaskFilesVariable));
    }

    [Fact]
    public void The_built_in_engine_gets_them_too_and_resolves_a_relative_model_path_itself()
    {
        var agent = new AgentSettings { Model = new AgentModel { Path = "models/llama", ServedName = "models/llama" }, TaskFiles = Files };
        Assert.Equal(Files.FileMounts, TaskFiles.Parse(AgentServingArguments.Environment(agent)[AgentApi.TaskFilesVariable]).FileMounts);
        // With a workdir the agent finds a relative path there, whatever the provider would have made of it.
        var args = AgentServingArguments.For(agent, "/provider/root/models/llama", null, "/work");
        Assert.Equal("models/llama", args[args.ToList().IndexOf(AgentFlags.Model) + 1]);
        // Without task files the provider's resolution stands, and an absolute path is never touched.
        var plain = AgentServingArguments.For(agent with { TaskFiles = new TaskFiles() }, "/provider/root/models/llama", null, "/work");
        Assert.Equal("/provider/root/models/llama", plain[plain.ToList().IndexOf(AgentFlags.Model) + 1]);
        var absolute = agent with { Model = agent.Model with { Path = "/models/llama" } };
        var mounted = AgentServingArguments.For(absolute, "/models/llama", null, "/work");
        Assert.Equal("/models/llama", mounted[mounted.ToList().IndexOf(AgentFlags.Model) + 1]);
    }
}
