using System.Text.Json.Nodes;
using SkyServe.Testing;

namespace SkyServe.Cli.Tests;

/// <summary>
/// `skyserve up` takes `sky serve up`'s flags: -n/--service-name, --env/--secret (KEY=VALUE or KEY from the shell),
/// --env-file/--secret-file, --infra/--cloud/--region/--zone, --gpus and --use-spot, laid over the spec as SkyPilot
/// lays them over the task; update takes them too; down --all asks unless -y.
/// </summary>
public sealed class UpFlagsTests : IDisposable
{
    private readonly TempDirectory home = new();

    public void Dispose() => home.Dispose();

    /// <summary>Scales to zero, so no replica starts: these tests are about what the controller is told.</summary>
    private static readonly string Spec = """
        service:
          readiness_probe: /health
          replica_policy: {min_replicas: 0, max_replicas: 1, target_qps_per_replica: 1}
          ports: 8080
        resources:
          accelerators: {A10G:1, L4:1}
          any_of:
            - infra: aws/us-east-1
            - infra: gcp/us-central1
        envs:
          MODEL: null
          FROM_FILE: null
        secrets:
          TOKEN: null
        run: exec python3 engine.py
        """;

    [Fact]
    public async Task Up_and_update_take_sky_serve_ups_flags_and_down_all_tears_everything_down()
    {
        var cli = new SkyServeCli(home.Path);
        var spec = Path.Combine(home.Path, "flags.yaml");
        await File.WriteAllTextAsync(spec, Spec);
        var envFile = Path.Combine(home.Path, "envs.env");
        await File.WriteAllTextAsync(envFile, "# dotenv\nFROM_FILE=file-value\nMODEL=overridden-by-flag\n");
        var secretFile = Path.Combine(home.Path, "secrets.env");
        await File.WriteAllTextAsync(secretFile, "TOKEN=\"file-token-value\"\n");

        await using var controller = await LocalController.StartAsync(cli, Path.Combine(home.Path, "data"));

        var up = await cli.RunWithAsync(new Dictionary<string, string> { ["MODEL"] = "model-from-shell" },
            "up", spec, "--service-name", "flags", "--env", "MODEL", "--env-file", envFile, "--secret-file", secretFile,
            "--gpus", "L4:1", "--infra", "aws/us-east-1", "--use-spot", "-y");
        Assert.True(up.ExitCode == 0, up.Output);
        Assert.Contains("Service flags created (version 1", up.Stdout);

        var shown = await Detail(cli, "flags");
        var resources = shown["spec"]!["resources"]!;
        Assert.Equal("""{"L4":1}""", resources["accelerators"]!.ToJsonString());
        Assert.True(resources["use_spot"]!.GetValue<bool>());
        Assert.Equal("""[{"infra":"aws/us-east-1"}]""", resources["any_of"]!.ToJsonString());
        Assert.Equal("model-from-shell", (string?)shown["spec"]!["envs"]!["MODEL"]);
        Assert.Equal("file-value", (string?)shown["spec"]!["envs"]!["FROM_FILE"]);
        Assert.Equal("<redacted>", (string?)shown["spec"]!["secrets"]!["TOKEN"]);
        // The text is stored as written; the flags are stored beside it.
        Assert.Contains("accelerators: {A10G:1, L4:1}", (string?)shown["versions"]![0]!["spec_text"]);

        var update = await cli.RunAsync("update", "flags", spec, "--env", "MODEL=m2", "--env", "FROM_FILE=f2", "--secret", "TOKEN=t2",
            "--gpus", "A10G:1", "--cloud", "gcp", "--no-use-spot");
        Assert.True(update.ExitCode == 0, update.Output);
        var updated = (await Detail(cli, "flags"))["spec"]!;
        Assert.Equal(2, (await Detail(cli, "flags"))["version"]!.GetValue<int>());
        Assert.Equal("""{"A10G":1}""", updated["resources"]!["accelerators"]!.ToJsonString());
        Assert.False(updated["resources"]!["use_spot"]!.GetValue<bool>());
        // --cloud over each entry: another cloud drops the entry's region, the same cloud keeps it.
        Assert.Equal("""[{"infra":"gcp"},{"infra":"gcp/us-central1"}]""", updated["resources"]!["any_of"]!.ToJsonString());

        // Short and old names of the service-name flag; a spec without null values needs no inputs and goes as YAML.
        var plain = Path.Combine(home.Path, "plain.yaml");
        await File.WriteAllTextAsync(plain, "service:\n  readiness_probe: /\n  replica_policy: {min_replicas: 0, max_replicas: 1, target_qps_per_replica: 1}\nresources:\n  ports: 8080\nrun: exec python3 engine.py\n");
        Assert.True((await cli.RunAsync("up", plain, "-n", "second")).ExitCode == 0);
        Assert.True((await cli.RunAsync("up", plain, "--name", "third")).ExitCode == 0);

        // A null value left unfilled is refused naming the key; so is a flag that names nothing.
        var unfilled = await cli.RunAsync("up", spec, "-n", "unfilled");
        Assert.NotEqual(0, unfilled.ExitCode);
        Assert.Contains("secrets.TOKEN", unfilled.Stderr);
        var noShellValue = await cli.RunWithAsync(new Dictionary<string, string> { ["NOT_SET_ANYWHERE"] = "" }, "up", spec, "--env", "UNSET_VARIABLE_XYZ");
        Assert.NotEqual(0, noShellValue.ExitCode);
        Assert.Contains("--env UNSET_VARIABLE_XYZ: no value given", noShellValue.Stderr);
        var kubernetes = await cli.RunAsync("up", plain, "-n", "k8s", "--infra", "k8s/my-context");
        Assert.NotEqual(0, kubernetes.ExitCode);
        Assert.Contains("no Kubernetes provider", kubernetes.Stderr);

        // down --all asks first; with no answer nothing is torn down.
        var asked = await cli.RunAsync("down", "--all");
        Assert.Equal(1, asked.ExitCode);
        Assert.Contains("Tear down 3 service(s): flags, second, third? [y/N]", asked.Stdout);
        Assert.Equal(3, JsonNode.Parse((await cli.RunAsync("status", "--json")).Stdout)!.AsArray().Count);
        var neither = await cli.RunAsync("down");
        Assert.Contains("give a service name, or --all", neither.Stderr);

        var down = await cli.RunAsync("down", "--all", "-y");
        Assert.True(down.ExitCode == 0, down.Output);
        foreach (var name in new[] { "flags", "second", "third" })
            Assert.Matches($"Service {name} (deleted|is shutting down)", down.Stdout);
    }

    private static async Task<JsonNode> Detail(SkyServeCli cli, string name)
    {
        var status = await cli.RunAsync("status", name, "--json", "--show-secrets");
        Assert.True(status.ExitCode == 0, status.Output);
        return JsonNode.Parse(status.Stdout)!.AsArray()[0]!;
    }
}
