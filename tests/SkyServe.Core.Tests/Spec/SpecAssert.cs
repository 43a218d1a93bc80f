using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Spec;

/// <summary>Parsing helpers that print every error when an expectation fails.</summary>
internal static class SpecAssert
{
    /// <summary>The smallest valid spec: SkyPilot needs a service section and one replica port.</summary>
    public const string Minimal = """
        service:
          readiness_probe: /
        resources:
          ports: 8080
        """;

    public static ServiceSpec Valid(string yaml)
    {
        var result = ServiceSpecParser.TryParse(yaml);
        Assert.True(result.IsValid, "expected a valid spec, got:\n" + string.Join('\n', result.Errors));
        Assert.Empty(result.Errors);
        return result.Spec!;
    }

    public static IReadOnlyList<SpecError> Invalid(string yaml)
    {
        var result = ServiceSpecParser.TryParse(yaml);
        Assert.False(result.IsValid, "expected errors, but the spec parsed");
        Assert.Null(result.Spec);
        Assert.NotEmpty(result.Errors);
        return result.Errors;
    }

    /// <summary>Asserts an error with exactly this path, line and column whose message contains <paramref name="messagePart"/>.</summary>
    public static SpecError HasError(string yaml, string path, int line, int column, string messagePart)
    {
        var errors = Invalid(yaml);
        var match = errors.FirstOrDefault(error =>
            error.Path == path && error.Line == line && error.Column == column && error.Message.Contains(messagePart, StringComparison.Ordinal));
        Assert.True(match is not null,
            $"expected an error at {path} (line {line}, column {column}) containing \"{messagePart}\"; got:\n" + string.Join('\n', errors));
        return match!;
    }

    /// <summary>Asserts one single error at this path whose message contains <paramref name="messagePart"/>.</summary>
    public static SpecError OnlyError(string yaml, string path, string messagePart)
    {
        var errors = Invalid(yaml);
        Assert.True(errors.Count == 1, "expected exactly one error; got:\n" + string.Join('\n', errors));
        Assert.Equal(path, errors[0].Path);
        Assert.Contains(messagePart, errors[0].Message, StringComparison.Ordinal);
        return errors[0];
    }
}
