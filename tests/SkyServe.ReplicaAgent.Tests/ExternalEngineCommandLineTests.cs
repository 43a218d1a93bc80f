using SkyServe.ReplicaAgent.Hosting;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>The agent's flags for the external engine mode (`--run` and friends).</summary>
public sealed class ExternalEngineCommandLineTests
{
    [Fact]
    public void Run_setup_port_workdir_and_restart_limits_are_read()
    {
        var options = AgentCommandLine.Parse([
            "--port", "0", "--run", "vllm serve $MODEL --port $PORT", "--setup", "pip install vllm", "--engine-port", "8080",
            "--workdir", "/tmp/work", "--engine-max-restarts", "0", "--engine-restart-delay-ms", "250", "--engine", "external",
        ]);

        var external = options.External!;
        Assert.Equal("vllm serve $MODEL --port $PORT", external.Run);
        Assert.Equal("pip install vllm", external.Setup);
        Assert.Equal(8080, external.Port);
        Assert.Equal("/tmp/work", external.ResolveWorkDirectory("m-1"));
        Assert.Equal(0, external.MaxRestarts);
        Assert.Equal(TimeSpan.FromMilliseconds(250), external.RestartDelay);
    }

    [Fact]
    public void Defaults_pick_a_free_port_and_a_work_dir_per_machine()
    {
        var options = AgentCommandLine.Parse(["--port", "0", "--machine-id", "m-7", "--run", "python3 -m http.server $PORT"]);
        Assert.Equal(0, options.External!.Port);
        Assert.Null(options.External.Setup);
        Assert.Equal(5, options.External.MaxRestarts);
        Assert.Equal(Path.Combine(Path.GetTempPath(), "skyserve-agent-m-7"), options.External.ResolveWorkDirectory("m-7"));
        Assert.Null(AgentCommandLine.Parse(["--port", "0"]).External);
    }

    [Fact]
    public void Task_files_and_home_are_read()
    {
        var files = new SkyServe.Contracts.Agent.TaskFiles
        {
            Workdir = new SkyServe.Contracts.Agent.TaskWorkdir { GitUrl = "https://github.com/org/repo.git", GitRef = "v1" },
            FileMounts = [new SkyServe.Contracts.Agent.TaskFileMount { Target = "~/data", Source = "s3://bucket/data", Mode = "MOUNT" }],
        };
        var options = AgentCommandLine.Parse(["--port", "0", "--run", "x", "--task-files", files.ToJson(), "--home", "/tmp/home-1"]);
        Assert.Equal("/tmp/home-1", options.External!.Home);
        Assert.Equal(files.Workdir, options.External.Files!.Workdir);
        Assert.Equal(files.FileMounts, options.External.Files.FileMounts);
    }

    [Theory]
    [InlineData("--task-files must be the task files' JSON", "--port", "0", "--run", "x", "--task-files", "{nope")]
    [InlineData("each file mount needs a target and one of blob or source", "--port", "0", "--run", "x", "--task-files", "{\"file_mounts\": [{\"target\": \"~/a\"}]}")]
    [InlineData("mode 'FUSE' of ~/a is not COPY, MOUNT or MOUNT_CACHED", "--port", "0", "--run", "x", "--task-files",
        "{\"file_mounts\": [{\"target\": \"~/a\", \"source\": \"s3://b\", \"mode\": \"FUSE\"}]}")]
    [InlineData("the workdir needs a blob or a git_url", "--port", "0", "--run", "x", "--task-files", "{\"workdir\": {}}")]
    [InlineData("go with --run", "--port", "0", "--home", "/tmp/h")]
    public void Bad_task_files_are_refused_with_a_message(string message, params string[] args) =>
        Assert.Contains(message, Assert.Throws<CommandLineException>(() => AgentCommandLine.Parse(args)).Message);

    [Theory]
    [InlineData("go with --run", "--port", "0", "--setup", "pip install vllm")]
    [InlineData("go with --run", "--port", "0", "--engine", "external")]
    [InlineData("cannot be used together", "--port", "0", "--run", "vllm serve m", "--model", ".")]
    [InlineData("--engine-port must be a number", "--port", "0", "--run", "x", "--engine-port", "http")]
    [InlineData("--run needs a shell command", "--port", "0", "--run", " ")]
    [InlineData("--engine-max-restarts must be a whole number", "--port", "0", "--run", "x", "--engine-max-restarts", "-1")]
    [InlineData("--engine tpu is not an engine; cpu or cuda (with --model) and external (with --run) are", "--port", "0", "--engine", "tpu")]
    public void Misuse_is_refused_with_a_message(string message, params string[] args)
    {
        if (args.Contains("--model"))
            args = args.Select(a => a == "." ? Path.Combine(SkyServe.Testing.RepoPaths.Root, "tests", "fixtures", "tiny-llama") : a).ToArray();
        var error = Assert.Throws<CommandLineException>(() => AgentCommandLine.Parse(args));
        Assert.Contains(message, error.Message);
    }
}
