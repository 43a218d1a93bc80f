using SkyServe.Core.Spec.Parsing;

namespace SkyServe.Core.Spec;

/// <summary>
/// Parses and validates a service spec: SkyPilot's task YAML with a <c>service:</c> section (JSON works too,
/// being YAML). Every error names the key path and the line and column it is about.
/// </summary>
public static class ServiceSpecParser
{
    /// <exception cref="SpecValidationException">The text is not a valid spec; <c>Errors</c> lists why.</exception>
    public static ServiceSpec Parse(string text, SpecInputs? inputs = null)
    {
        var result = TryParse(text, inputs);
        return result.Spec ?? throw new SpecValidationException(result.Errors);
    }

    /// <summary>Never throws for bad input: returns the spec, or the errors found.</summary>
    /// <param name="inputs">Env and secret values given beside the spec (<c>--env</c>, <c>--secret</c>).</param>
    public static SpecParseResult TryParse(string text, SpecInputs? inputs = null)
    {
        var context = new SpecReadContext();
        try
        {
            var root = SpecDocumentLoader.Load(text, context);
            var spec = root is null ? null : new ServiceSpecReader(context, inputs ?? SpecInputs.None).Read(root);
            return spec is not null && !context.HasErrors
                ? new SpecParseResult(spec, [])
                : new SpecParseResult(null, ErrorsOrFallback(context));
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A bug in the parser must not take down the API request that submitted the spec; report it as an error.
            return new SpecParseResult(null, [new SpecError("", 1, 1, $"the spec could not be read ({exception.GetType().Name}: {exception.Message})")]);
        }
    }

    private static IReadOnlyList<SpecError> ErrorsOrFallback(SpecReadContext context) =>
        context.HasErrors ? [.. context.Errors.OrderBy(error => error.Line).ThenBy(error => error.Column)] : [new SpecError("", 1, 1, "the spec is not valid")];
}
