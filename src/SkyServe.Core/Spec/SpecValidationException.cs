namespace SkyServe.Core.Spec;

/// <summary>Thrown by <see cref="ServiceSpecParser.Parse"/> when a spec cannot be accepted; carries every error found.</summary>
public sealed class SpecValidationException : Exception
{
    public SpecValidationException(IReadOnlyList<SpecError> errors)
        : base(string.Join('\n', errors.Select(error => error.ToString())))
    {
        Errors = errors;
    }

    public IReadOnlyList<SpecError> Errors { get; }
}
