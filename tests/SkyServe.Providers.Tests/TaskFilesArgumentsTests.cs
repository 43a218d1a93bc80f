using SkyServe.Contracts.Agent;

namespace SkyServe.Providers.Tests;

/// <summary>Every provider's agent command line carries the launch's workdir and file mounts as --task-files (with --run only).</summary>
public sealed class TaskFilesArgumentsTests
{
    private static readonly TaskFiles Files = new()
    {
        Workdir = new TaskWorkdir { Blob = "sha256:" + new string('a', 64) },
        FileMounts =
        [
            new TaskFileMount { Target = "~/data", Blob = "sha256:" + new string('b', 64) },
            new TaskFileMount { Target = "/mnt/weights", Source = "gs://bucket/weights", Mode = TaskFileModes.MountCached },
        ],
    };

    [Fact]
    public void Run_with_task_files_passes_them_as_json_that_reads_back_the_same()
    {
        var args = AgentServingArguments.For(new AgentSettings { Run = "python3 server.py", TaskFiles = Files }, null, 0, "/work");
        var json = args[args.ToList().IndexOf(AgentFlags.TaskFiles) + 1];
        var back = TaskFiles.Parse(json);
        Assert.Equal(Files.Workdir, back.Workdir);
        Assert.Equal(Files.FileMounts, back.FileMounts);
        Assert.Contains("\"file_mounts\"", json);
    }

    [Fact]
    public void Without_task_files_or_without_run_there_is_no_flag()
    {
        Assert.DoesNotContain(AgentFlags.TaskFiles, AgentServingArguments.For(new AgentSettings { Run = "x" }, null, 0, "/work"));
        Assert.DoesNotContain(AgentFlags.TaskFiles, AgentServingArguments.For(new AgentSettings { TaskFiles = Files }, null, 0, "/work"));
    }
}
