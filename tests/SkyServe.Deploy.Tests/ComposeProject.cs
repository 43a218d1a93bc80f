using System.Text;
using SkyServe.Testing;

namespace SkyServe.Deploy.Tests;

/// <summary>
/// The repository's docker-compose.yml as one project on a <see cref="DockerEngine"/>, with its own .env (free loopback
/// ports, a secrets folder of its own). Debian's docker-compose 1.29 by default; SKYSERVE_TEST_COMPOSE="docker compose"
/// runs it with Compose v2 instead.
/// </summary>
public sealed class ComposeProject
{
    public static readonly string[] Services = ["postgres", "controller-1", "controller-2", "load-balancer-1", "load-balancer-2", "prometheus"];

    private readonly DockerEngine docker;
    private readonly string envFile;

    public ComposeProject(DockerEngine docker, string folder, string name)
    {
        this.docker = docker;
        Name = name;
        Folder = folder;
        envFile = Path.Combine(folder, "test.env");
        Secrets = Path.Combine(folder, "secrets");
    }

    public string Name { get; }
    public string Folder { get; }
    public string Secrets { get; }
    public int Controller1Port { get; } = FreePort.Next();
    public int Controller2Port { get; } = FreePort.Next();
    public int Lb1Port { get; } = FreePort.Next();
    public int Lb2Port { get; } = FreePort.Next();
    public int PostgresPort { get; } = FreePort.Next();
    public int PrometheusPort { get; } = FreePort.Next();

    public string ApiToken => File.ReadAllText(Path.Combine(Secrets, "api-token")).Trim();
    public string LbToken => File.ReadAllText(Path.Combine(Secrets, "lb-token")).Trim();

    /// <summary>Writes the project's .env and its controllers' settings file, and makes its secrets with deploy/secrets.sh.</summary>
    public async Task PrepareAsync(IReadOnlyDictionary<string, string> controllerSettings)
    {
        // The controllers start replicas as containers on the test's own daemon: its socket, and its group for their user.
        var dockerSocket = new Uri(docker.Host).LocalPath;
        var dockerGid = (await ProcessRunner.RunCheckedAsync("stat", "-c", "%g", dockerSocket)).Stdout.Trim();
        var made = await ProcessRunner.RunAsync("bash", [Path.Combine(RepoPaths.Root, "deploy", "secrets.sh"), Secrets]);
        Assert.True(made.ExitCode == 0, made.Output);
        var controllerEnv = Path.Combine(Folder, "controller.env");
        await File.WriteAllLinesAsync(controllerEnv, controllerSettings.Select(s => $"{s.Key}={s.Value}"));
        await File.WriteAllTextAsync(envFile, new StringBuilder()
            .AppendLine($"SKYSERVE_SECRETS_DIR={Secrets}")
            .AppendLine($"SKYSERVE_CONTROLLER_ENV_FILE={controllerEnv}")
            .AppendLine($"SKYSERVE_CONTROLLER_1_PORT={Controller1Port}")
            .AppendLine($"SKYSERVE_CONTROLLER_2_PORT={Controller2Port}")
            .AppendLine($"SKYSERVE_LB_1_PORT={Lb1Port}")
            .AppendLine($"SKYSERVE_LB_2_PORT={Lb2Port}")
            .AppendLine($"POSTGRES_PORT={PostgresPort}")
            .AppendLine($"PROMETHEUS_PORT={PrometheusPort}")
            .AppendLine("PROMETHEUS_SCRAPE_INTERVAL=2s")
            .AppendLine($"SKYSERVE_DOCKER_SOCKET={dockerSocket}")
            .AppendLine($"SKYSERVE_DOCKER_GID={dockerGid}")
            .ToString());
    }

    /// <summary>Runs docker-compose on the project; its output, or a failure with everything it printed.</summary>
    public async Task<string> RunAsync(params string[] args)
    {
        var command = (Environment.GetEnvironmentVariable("SKYSERVE_TEST_COMPOSE") is { Length: > 0 } given ? given : "docker-compose").Split(' ');
        var result = await ProcessRunner.RunAsync(command[0],
            [.. command[1..], "--file", Path.Combine(RepoPaths.Root, "docker-compose.yml"), "--project-name", Name, "--env-file", envFile, .. args],
            docker.Environment, timeout: TimeSpan.FromMinutes(4));
        return result.ExitCode == 0
            ? result.Stdout
            : throw new InvalidOperationException($"{string.Join(' ', command)} {string.Join(' ', args)} exited {result.ExitCode}:\n{result.Output}");
    }

    /// <summary>The container of a service (empty when it has none).</summary>
    public async Task<string> ContainerAsync(string service) => (await RunAsync("ps", "-q", service)).Trim();

    /// <summary>Every container of the project (running or not), by the Docker daemon's own account.</summary>
    public async Task<IReadOnlyList<string>> AllContainersAsync() =>
        (await docker.DockerCheckedAsync("ps", "-aq", "--filter", $"label=com.docker.compose.project={Name}"))
        .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>service → "running healthy", "running starting", "exited"... for each of the project's containers.</summary>
    public async Task<IReadOnlyDictionary<string, string>> StatesAsync()
    {
        var ids = await AllContainersAsync();
        if (ids.Count == 0)
            return new Dictionary<string, string>();
        var lines = await docker.DockerCheckedAsync(["inspect", "--format",
            "{{index .Config.Labels \"com.docker.compose.service\"}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}", .. ids]);
        return lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim().Split(' ', 2))
            .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => string.Join(", ", g.Select(p => p.Length > 1 ? p[1] : "")));
    }

    /// <summary>Waits until every service's container runs and its health check passes.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout, IEnumerable<string>? services = null)
    {
        var wanted = (services ?? Services).ToList();
        var deadline = DateTime.UtcNow + timeout;
        IReadOnlyDictionary<string, string> states = new Dictionary<string, string>();
        while (DateTime.UtcNow < deadline)
        {
            states = await StatesAsync();
            if (wanted.All(s => states.TryGetValue(s, out var state) && state == "running healthy"))
                return;
            await Task.Delay(1000);
        }
        var logs = await RunAsync("logs", "--no-color", "--tail", "40");
        Assert.Fail($"not healthy within {timeout.TotalSeconds:0} s: {string.Join("; ", states.Select(s => $"{s.Key}: {s.Value}"))}\n{logs}");
    }

    /// <summary>The host's process id of a service's main process (host PID namespace for the controllers).</summary>
    public async Task<int> PidAsync(string service) =>
        int.Parse(await docker.DockerCheckedAsync("inspect", "--format", "{{.State.Pid}}", await ContainerAsync(service)),
            System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>One value from the project's PostgreSQL, through psql in its container (the local socket).</summary>
    public async Task<string> SqlAsync(string query) =>
        (await RunAsync("exec", "-T", "postgres", "psql", "-tAc", query)).Trim();
}
