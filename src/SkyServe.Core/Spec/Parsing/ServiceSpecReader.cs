using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Spec.Parsing;

/// <summary>Reads the top-level mapping of a spec into a <see cref="ServiceSpec"/>, section by section.</summary>
internal sealed class ServiceSpecReader(SpecReadContext context, SpecInputs inputs)
{
    /// <summary>SkyPilot's limit on nodes per task is the cloud's; this keeps a typo from asking for thousands of machines.</summary>
    public const int MaxNodes = 64;

    public static readonly SpecKeys Keys = new(
        // _metadata is SkyPilot's own bookkeeping in tasks it writes out (the git commit); read and ignored, as SkyPilot runs them.
        ["name", "service", "resources", "envs", "secrets", "setup", "run", "model", "workdir", "file_mounts", "num_nodes", "_metadata"],
        new Dictionary<string, string>
        {
            ["volumes"] = "volumes are not supported: mount data with file_mounts",
            ["pool"] = "cluster pools are not part of this serving system",
            ["config"] = "per-task SkyPilot config overrides (~/.sky/config.yaml keys) are not supported: this project's controller has its own settings",
            ["experimental"] = "experimental config_overrides are not supported: this project's controller has its own settings",
            ["event_callback"] = "event callbacks belong to SkyPilot's managed jobs; watch a service with skyserve events instead",
            ["inputs"] = "inputs are SkyPilot's data-egress hints for its optimizer; placement here does not price data transfer",
            ["outputs"] = "outputs are SkyPilot's data-egress hints for its optimizer; placement here does not price data transfer",
            ["file_mounts_mapping"] = "file_mounts_mapping is SkyPilot's internal key; write file_mounts",
            ["volume_mounts"] = "volume_mounts is SkyPilot's internal key for volumes, which are not supported",
            ["api_server_access"] = "there is no SkyPilot API server to give replicas access to",
        });

    public ServiceSpec? Read(YamlMappingNode root)
    {
        var top = new MappingReader(context, root, SpecPath.Root, Keys);
        var name = ReadName(top);
        var service = new ServiceSectionReader(context).Read(top);
        var resources = new ResourcesReader(context, inputs.Resources).Read(top);
        var envs = new StringMapReader(context).Read(
            top.Value("envs"), top.PathOf("envs"), SpecPatterns.EnvName(),
            "env var names are letters, digits and _, not starting with a digit",
            variable => $"environment variable '{variable}' has no value: pass it with --env {variable}=value (or set it to \"\" for an empty value)",
            inputs.Envs);
        var secrets = new StringMapReader(context).Read(
            top.Value("secrets"), top.PathOf("secrets"), SpecPatterns.EnvName(),
            "secret names are letters, digits and _, not starting with a digit",
            variable => $"secret '{variable}' has no value: pass it with --secret {variable}=value",
            inputs.Secrets);
        CheckNoOverlap(top, envs, secrets);
        var files = new TaskFilesReader(context);
        var workdir = files.ReadWorkdir(top);
        var fileMounts = files.ReadFileMounts(top);
        var numNodes = top.Integer("num_nodes", minimum: 1, maximum: MaxNodes) ?? 1;
        var setup = top.Text("setup");
        var run = top.Text("run");
        var model = new ModelReader(context).Read(top);
        if (service is null || context.HasErrors)
            return null;

        var spec = new ServiceSpec
        {
            Name = name,
            Service = service,
            Resources = resources,
            Envs = envs,
            Secrets = secrets,
            Workdir = workdir,
            FileMounts = fileMounts,
            NumNodes = numNodes,
            Setup = setup,
            Run = run,
            Model = model,
        };
        new CrossSectionRules(context).Check(spec);
        return context.HasErrors ? null : spec;
    }

    /// <summary>As SkyPilot: a name is an env var or a secret, not both.</summary>
    private void CheckNoOverlap(MappingReader top, IReadOnlyDictionary<string, string> envs, IReadOnlyDictionary<string, string> secrets)
    {
        foreach (var name in envs.Keys.Where(secrets.ContainsKey).Order(StringComparer.Ordinal))
            context.Error(SpecPath.Child(top.PathOf("secrets"), name), $"'{name}' is both an env var and a secret: keep one");
    }

    private string? ReadName(MappingReader top)
    {
        var name = top.Text("name");
        if (name is not null && !SpecPatterns.ServiceName().IsMatch(name))
            context.Error(top.PathOf("name"),
                $"invalid name '{name}': start with a letter, use letters, digits, '-', '_' and '.', and end with a letter or digit");
        return name;
    }
}
