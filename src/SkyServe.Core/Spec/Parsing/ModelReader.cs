using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Spec.Parsing;

/// <summary>Reads this project's <c>model:</c> extension: <c>model: PATH</c> or a block {path, engine, max_batch_size}.</summary>
internal sealed class ModelReader(SpecReadContext context)
{
    public static readonly SpecKeys Keys = new(["path", "engine", "max_batch_size"]);

    public ModelSpec? Read(MappingReader top)
    {
        var node = top.Value("model");
        var path = top.PathOf("model");
        switch (node)
        {
            case null:
                return null;
            case YamlScalarNode:
                var shortForm = PathText(node, path);
                return string.IsNullOrWhiteSpace(shortForm) ? null : new ModelSpec(shortForm.Trim());
            case YamlMappingNode mapping:
                var model = new MappingReader(context, mapping, path, Keys);
                model.Require("path");
                var modelPath = model.Value("path") is { } pathNode ? PathText(pathNode, model.PathOf("path")) : null;
                var engineName = model.OneOf("engine", ModelEngineNames.All);
                ModelEngineNames.TryParse(engineName, out var engine);
                var maxBatchSize = model.Integer("max_batch_size", minimum: 1, maximum: SpecLimits.MaxModelBatchSize);
                return string.IsNullOrWhiteSpace(modelPath)
                    ? null
                    : new ModelSpec(modelPath.Trim())
                    {
                        Engine = engineName is null ? SpecDefaults.ModelEngineKind : engine,
                        MaxBatchSize = maxBatchSize ?? SpecDefaults.ModelMaxBatchSize,
                    };
            default:
                context.Error(path, node, $"expected a model path or id, or a mapping with path, engine and max_batch_size, got {YamlScalars.Describe(node)}");
                return null;
        }
    }

    /// <summary>
    /// A path or id is text: a plain <c>123</c>, <c>1e3</c> or <c>true</c> is a number or a boolean to YAML (and to
    /// SkyPilot's loader), most likely a slip, so it is refused; quoted, <c>"123"</c> is a string and fine.
    /// </summary>
    private string? PathText(YamlNode node, string path)
    {
        if (node is YamlScalarNode scalar && YamlScalars.IsPlain(scalar) && !YamlScalars.IsNull(scalar)
            && scalar.Value is { } text
            && (YamlScalars.TryNumber(text, out _) || YamlScalars.IsOtherIntegerNotation(text) || YamlScalars.TryBoolean(text, out _)))
        {
            context.Error(path, node, $"expected a model path or id as a string, got the {(YamlScalars.TryBoolean(text, out _) ? "boolean" : "number")} {text} (quote it if it is a name: \"{text}\")");
            return null;
        }
        return new ScalarReader(context).Text(node, path);
    }
}
