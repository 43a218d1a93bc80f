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
                var shortForm = new ScalarReader(context).Text(node, path);
                return string.IsNullOrWhiteSpace(shortForm) ? null : new ModelSpec(shortForm.Trim());
            case YamlMappingNode mapping:
                var model = new MappingReader(context, mapping, path, Keys);
                model.Require("path");
                var modelPath = model.Text("path");
                var engineName = model.OneOf("engine", ModelEngineNames.All);
                ModelEngineNames.TryParse(engineName, out var engine);
                var maxBatchSize = model.Integer("max_batch_size", minimum: 1, maximum: 4096);
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
}
