using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Spec.Parsing;

/// <summary>Reads <c>service.readiness_probe</c>: a path string, or a mapping with path, post_data, delays and headers.</summary>
internal sealed class ReadinessProbeReader(SpecReadContext context)
{
    public static readonly SpecKeys Keys = new(
        ["path", "post_data", "initial_delay_seconds", "timeout_seconds", "headers"],
        new Dictionary<string, string>
        {
            ["endpoint_probe_interval_seconds"] = "the probe interval is a controller setting here",
            ["consecutive_failure_threshold_timeout"] = "failure handling is a controller setting here",
        });

    public ReadinessProbeSpec Read(YamlNode? node, string path)
    {
        if (node is null)
            return ReadinessProbeSpec.Default;
        if (node is YamlScalarNode)
        {
            var shortPath = new ScalarReader(context).Text(node, path);
            return shortPath is null ? ReadinessProbeSpec.Default : new ReadinessProbeSpec { Path = CheckPath(shortPath, node, path) };
        }
        if (node is not YamlMappingNode mapping)
        {
            context.Error(path, node, $"expected a path such as /health or a mapping with path, got {YamlScalars.Describe(node)}");
            return ReadinessProbeSpec.Default;
        }

        var probe = new MappingReader(context, mapping, path, Keys);
        probe.Require("path");
        var probePath = probe.Text("path");
        return new ReadinessProbeSpec
        {
            Path = probePath is null ? SpecDefaults.ReadinessPath : CheckPath(probePath, probe.Value("path")!, probe.PathOf("path")),
            PostData = ReadPostData(probe),
            InitialDelaySeconds = probe.Integer("initial_delay_seconds", maximum: SpecLimits.MaxInitialDelaySeconds) ?? SpecDefaults.InitialDelaySeconds,
            TimeoutSeconds = probe.Integer("timeout_seconds", minimum: 1, maximum: SpecLimits.MaxReadinessTimeoutSeconds) ?? SpecDefaults.ReadinessTimeoutSeconds,
            Headers = new StringMapReader(context).Read(
                probe.Value("headers"), probe.PathOf("headers"), SpecPatterns.HeaderName(), "header names are HTTP tokens such as Authorization"),
        };
    }

    private string CheckPath(string value, YamlNode node, string path)
    {
        if (!value.StartsWith('/'))
            context.Error(path, node, $"the readiness probe path must start with '/', got '{value}'");
        return value;
    }

    /// <summary>SkyPilot accepts a mapping or a string of JSON; either way the probe POSTs JSON.</summary>
    private string? ReadPostData(MappingReader probe)
    {
        var node = probe.Value("post_data");
        var path = probe.PathOf("post_data");
        switch (node)
        {
            case null:
                return null;
            case YamlMappingNode:
                return new YamlToJson(context).Convert(node, path)?.ToJsonString();
            case YamlScalarNode { Value: { } text }:
                try
                {
                    return JsonNode.Parse(text)?.ToJsonString();
                }
                catch (JsonException exception)
                {
                    context.Error(path, node, $"post_data is not valid JSON: {exception.Message}");
                    return null;
                }
            default:
                context.Error(path, node, $"expected a mapping or a string of JSON, got {YamlScalars.Describe(node)}");
                return null;
        }
    }
}
