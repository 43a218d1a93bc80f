using SkyServe.Contracts.Agent;
using SkyServe.Contracts.Notices;

namespace SkyServe.Providers.Tests;

/// <summary>
/// Every provider gives the agent the launch's workdir and file mounts in its environment (with --run only), never on
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
    public void Without_task_files_or_without_run_there_is_nothing()
    {
        Assert.False(AgentServingArguments.Environment(new AgentSettings { Run = "x" }).ContainsKey(AgentApi.TaskFilesVariable));
        Assert.False(AgentServingArguments.Environment(new AgentSettings { TaskFiles = Files }).ContainsKey(AgentApi.TaskFilesVariable));
    }
}
