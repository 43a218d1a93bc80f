using SkyServe.Contracts.Notices;
using SkyServe.Core.Security;
using SkyServe.Inference.Checkpoints;
using SkyServe.Inference.Cuda;
using SkyServe.Inference.Cuda.Native;
using SkyServe.Inference.Model;
using SkyServe.Inference.Tokenization;

namespace SkyServe.ReplicaAgent.Hosting;

/// <summary>
/// The agent's entry point, shared by `dotnet SkyServe.ReplicaAgent.dll ...` and `skyserve agent ...`.
/// Exit codes: 0 after a normal shutdown (SIGTERM, Ctrl+C), 1 when it cannot start, 2 for a bad command line.
/// </summary>
public static class AgentProgram
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        OwnerOnly.RestrictProcessUmask(); // engine logs and work folders may hold the spec's envs
        if (AgentCommandLine.IsHelpRequest(args))
        {
            Console.WriteLine(AgentCommandLine.Usage);
            return 0;
        }

        if (AgentCommandLine.ManifestRequest(args) is { } manifestFolder)
            return WriteManifest(manifestFolder);

        AgentOptions options;
        try
        {
            options = AgentCommandLine.Parse(args,
                taskFilesFollow: !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(AgentApi.TaskFilesVariable)));
        }
        catch (CommandLineException e)
        {
            Console.Error.WriteLine($"SkyServe.ReplicaAgent: {e.Message}");
            Console.Error.WriteLine(AgentCommandLine.Usage);
            return 2;
        }

        options = WithTokenFromEnvironment(options);
        try
        {
            options = WithTaskFilesFromEnvironment(options);
        }
        catch (CommandLineException e)
        {
            Console.Error.WriteLine($"SkyServe.ReplicaAgent: {AgentApi.TaskFilesVariable}: {e.Message}");
            return 2;
        }
        var announced = false;
        if (options.ModelDirectory is not null && options.Files is { IsEmpty: false } files)
        {
            // The files come first, the model may be one of them; the agent listens meanwhile, and goes on on the same port.
            var staged = await ModelFilesStaging.RunAsync(options, files, Console.Out);
            if (staged.Options is null)
                return staged.ExitCode;
            options = staged.Options;
            announced = true;
        }
        WebApplication app;
        try
        {
            app = AgentHost.Build(options);
        }
        catch (Exception e) when (e is CheckpointException or TokenizerLoadException or CudaModelDoesNotFitException)
        {
            Console.Error.WriteLine($"SkyServe.ReplicaAgent: cannot load the model: {e.Message}");
            return 1;
        }
        catch (CudaUnavailableException e)
        {
            Console.Error.WriteLine($"SkyServe.ReplicaAgent: --engine cuda needs an NVIDIA GPU and its CUDA driver: {e.Message}");
            return 1;
        }
        await using var _ = app;
        var url = new UriBuilder("http", options.Host.ToString(), options.Port).Uri.ToString();
        if (await SkyServe.Core.Hosting.PortAvailability.StartAsync([url], () => app.StartAsync()) is { } cannotListen)
        {
            Console.Error.WriteLine($"SkyServe.ReplicaAgent: {cannotListen}");
            return 1;
        }

        // Launchers wait for exactly this line; it carries the real port when --port 0 let the system pick. After staging
        // the files it was written already, with the port the agent listens on again.
        if (!announced)
            Console.WriteLine($"ReplicaAgent listening on {app.Urls.First()}");
        await app.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>
    /// The controller token from <see cref="AgentApi.ControllerTokenVariable"/> unless the command line gave one. The
    /// variable is removed from the agent's environment once read, so that processes it starts (an external
    /// engine's run: command) never see it.
    /// </summary>
    public static AgentOptions WithTokenFromEnvironment(AgentOptions options)
    {
        var token = Environment.GetEnvironmentVariable(AgentApi.ControllerTokenVariable);
        Environment.SetEnvironmentVariable(AgentApi.ControllerTokenVariable, null);
        return options.ControllerToken is null && !string.IsNullOrWhiteSpace(token) ? options with { ControllerToken = token.Trim() } : options;
    }

    /// <summary>
    /// With --run or --model and no --task-files, the task files from <see cref="AgentApi.TaskFilesVariable"/>; the
    /// variable is removed once read, as the token's is, so that setup and run do not see it.
    /// </summary>
    /// <exception cref="CommandLineException">The variable does not hold valid task files.</exception>
    public static AgentOptions WithTaskFilesFromEnvironment(AgentOptions options)
    {
        var json = Environment.GetEnvironmentVariable(AgentApi.TaskFilesVariable);
        Environment.SetEnvironmentVariable(AgentApi.TaskFilesVariable, null);
        if (string.IsNullOrWhiteSpace(json))
            return options;
        if (options.External is { Files: null } external)
            return options with { External = external with { Files = AgentCommandLine.TaskFilesValue(json) } };
        if (options is { ModelDirectory: not null, Files: null })
            return options with { Files = AgentCommandLine.TaskFilesValue(json) };
        return options;
    }

    private static int WriteManifest(string directory)
    {
        try
        {
            Console.WriteLine($"wrote {ModelManifest.Write(directory)}");
            return 0;
        }
        catch (Exception e) when (e is CheckpointException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"SkyServe.ReplicaAgent: {e.Message}");
            return 1;
        }
    }
}
