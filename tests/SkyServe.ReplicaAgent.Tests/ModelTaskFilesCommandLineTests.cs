using SkyServe.Contracts.Agent;
using SkyServe.ReplicaAgent.Hosting;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>--task-files and --home with --model: the built-in engine's workdir and file mounts, and where its model is then.</summary>
public sealed class ModelTaskFilesCommandLineTests
{
    private static readonly TaskFiles Files = new() { FileMounts = [new TaskFileMount { Target = "/models/llama", Source = "s3://bucket/llama" }] };

    [Fact]
    public void With_model_the_task_files_and_home_are_the_built_in_engines()
    {
        var options = AgentCommandLine.Parse(["--port", "0", "--model", "/models/llama", "--task-files", Files.ToJson(), "--home", "/tmp/home-2"]);
        Assert.Null(options.External);
        Assert.Equal("/models/llama", options.ModelDirectory); // not there yet: it is one of the files
        Assert.Equal(Files.FileMounts, options.Files!.FileMounts);
        Assert.Equal("/tmp/home-2", options.Home);
    }

    [Fact]
    public void A_missing_model_folder_is_refused_unless_task_files_may_bring_it()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-model-{Guid.NewGuid():N}");
        Assert.Contains("has no config.json", Assert.Throws<CommandLineException>(() => AgentCommandLine.Parse(["--port", "0", "--model", missing])).Message);
        Assert.Equal(missing, AgentCommandLine.Parse(["--port", "0", "--model", missing], taskFilesFollow: true).ModelDirectory);
        Assert.Contains("--home with --model goes with --task-files",
            Assert.Throws<CommandLineException>(() => AgentCommandLine.Parse(["--port", "0", "--model", missing, "--home", "/tmp/h"])).Message);
    }

    [Theory]
    [InlineData("weights", "/home/u/sky_workdir", "/home/u/sky_workdir/weights")]
    [InlineData("./weights/", "/home/u/sky_workdir", "/home/u/sky_workdir/weights/")]
    [InlineData("weights", null, "weights")]
    [InlineData("~/models/llama", "/home/u/sky_workdir", "/home/u/models/llama")]
    [InlineData("/models/llama", "/home/u/sky_workdir", "/models/llama")]
    [InlineData("https://host/models/llama", "/home/u/sky_workdir", "https://host/models/llama")]
    public void The_model_path_is_resolved_against_the_workdir_and_home(string path, string? workdir, string expected) =>
        Assert.Equal(expected, ModelFilesStaging.ModelPath(path, workdir, "/home/u"));
}
