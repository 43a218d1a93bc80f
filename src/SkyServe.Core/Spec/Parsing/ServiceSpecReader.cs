using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Spec.Parsing;

/// <summary>Reads the top-level mapping of a spec into a <see cref="ServiceSpec"/>, section by section.</summary>
internal sealed class ServiceSpecReader(SpecReadContext context)
{
    public static readonly SpecKeys Keys = new(
        ["name", "service", "resources", "envs", "setup", "run", "model"],
        new Dictionary<string, string>
        {
            ["workdir"] = "replicas do not receive a synced working directory; fetch code in setup",
            ["file_mounts"] = "file mounts are not supported; fetch files in setup",
            ["num_nodes"] = "a replica is always one machine",
            ["secrets"] = "use envs, passing secret values with --env NAME=value",
            ["volumes"] = "volumes are not supported",
            ["pool"] = "cluster pools are not part of this serving system",
            ["config"] = "per-task SkyPilot config overrides are not supported",
        });

    public ServiceSpec? Read(YamlMappingNode root)
    {
        var top = new MappingReader(context, root, SpecPath.Root, Keys);
        var name = ReadName(top);
        var service = new ServiceSectionReader(context).Read(top);
        var resources = new ResourcesReader(context).Read(top);
        var envs = new StringMapReader(context).Read(
            top.Value("envs"), top.PathOf("envs"), SpecPatterns.EnvName(),
            "env var names are letters, digits and _, not starting with a digit",
            variable => $"environment variable '{variable}' has no value: pass it with --env {variable}=value (or set it to \"\" for an empty value)");
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
            Setup = setup,
            Run = run,
            Model = model,
        };
        new CrossSectionRules(context).Check(spec);
        return context.HasErrors ? null : spec;
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
