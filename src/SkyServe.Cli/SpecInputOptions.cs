using System.CommandLine;
using dotenv.net;
using SkyServe.Core.Spec;

namespace SkyServe.Cli;

/// <summary>
/// The options <c>up</c> and <c>update</c> share with <c>sky serve up</c>: values beside the spec (<c>--env</c>,
/// <c>--secret</c>, <c>--env-file</c>, <c>--secret-file</c>) and resource overrides (<c>--infra</c>, <c>--cloud</c>,
/// <c>--region</c>, <c>--zone</c>, <c>--gpus</c>, <c>--use-spot</c>/<c>--no-use-spot</c>).
/// </summary>
public sealed class SpecInputOptions
{
    public Option<string[]> Env { get; } = new("--env")
    {
        Description = "An env var for the service, KEY=VALUE, or KEY to take its value from this shell; fills or overrides the spec's envs (repeatable)",
    };

    public Option<string[]> Secret { get; } = new("--secret")
    {
        Description = "A secret for the service, KEY=VALUE, or KEY to take its value from this shell; never shown anywhere (repeatable)",
    };

    public Option<FileInfo[]> EnvFile { get; } = new("--env-file") { Description = "A dotenv file of env vars; --env wins over it (repeatable)" };

    public Option<FileInfo[]> SecretFile { get; } = new("--secret-file") { Description = "A dotenv file of secrets; --secret wins over it (repeatable)" };

    public Option<string?> Infra { get; } = new("--infra") { Description = "Where replicas run, cloud[/region[/zone]] with * for any part; overrides every candidate's location" };

    public Option<string?> Cloud { get; } = new("--cloud") { Description = "Overrides the cloud of every candidate (aws, gcp, azure, local, docker)" };

    public Option<string?> Region { get; } = new("--region") { Description = "Overrides the region of every candidate" };

    public Option<string?> Zone { get; } = new("--zone") { Description = "Overrides the zone of every candidate" };

    public Option<string?> Gpus { get; } = new("--gpus") { Description = "Overrides the accelerators of every candidate, e.g. L4:1 or {L4:1, A10G:1}" };

    public Option<bool> UseSpot { get; } = new("--use-spot") { Description = "Run every replica on spot instances" };

    public Option<bool> NoUseSpot { get; } = new("--no-use-spot") { Description = "Run every replica on on-demand instances" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Env, Secret, EnvFile, SecretFile, Infra, Cloud, Region, Zone, Gpus, UseSpot, NoUseSpot })
            command.Options.Add(option);
    }

    /// <summary>The values given, files read and KEY-only entries taken from <paramref name="environment"/>.</summary>
    public SpecInputs Read(ParseResult parse, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (parse.GetValue(UseSpot) && parse.GetValue(NoUseSpot))
            throw new CliException("--use-spot and --no-use-spot cannot both be given");
        return new SpecInputs
        {
            Envs = Merge(parse.GetValue(EnvFile), parse.GetValue(Env), "--env", environment),
            Secrets = Merge(parse.GetValue(SecretFile), parse.GetValue(Secret), "--secret", environment),
            Resources = new ResourceOverrides
            {
                Infra = parse.GetValue(Infra),
                Cloud = parse.GetValue(Cloud),
                Region = parse.GetValue(Region),
                Zone = parse.GetValue(Zone),
                Accelerators = parse.GetValue(Gpus),
                UseSpot = parse.GetValue(UseSpot) ? true : parse.GetValue(NoUseSpot) ? false : null,
            },
        };
    }

    /// <summary>Files first, in order, then the flags: a later value of a key wins, as SkyPilot's CLI merges them.</summary>
    private static Dictionary<string, string> Merge(FileInfo[]? files, string[]? pairs, string flag, Func<string, string?> environment)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files ?? [])
        {
            if (!file.Exists)
                throw new CliException($"{flag}-file: no such file: {file.FullName}");
            foreach (var (key, value) in DotEnv.Fluent().WithEnvFiles(file.FullName).WithExceptions().WithTrimValues().Read())
                values[key] = value;
        }
        foreach (var pair in pairs ?? [])
        {
            var equals = pair.IndexOf('=');
            var key = equals < 0 ? pair : pair[..equals];
            if (key.Length == 0)
                throw new CliException($"{flag} '{pair}': expected KEY=VALUE or KEY");
            values[key] = equals >= 0
                ? pair[(equals + 1)..]
                : environment(key) ?? throw new CliException($"{flag} {key}: no value given and ${key} is not set in this shell");
        }
        return values;
    }
}
