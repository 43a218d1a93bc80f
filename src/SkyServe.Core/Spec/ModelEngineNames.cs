namespace SkyServe.Core.Spec;

/// <summary>The spec names of <see cref="ModelEngine"/>.</summary>
public static class ModelEngineNames
{
    public const string Cpu = "cpu";
    public const string Cuda = "cuda";

    public static IReadOnlyList<string> All { get; } = [Cpu, Cuda];

    public static string ToSpecName(this ModelEngine engine) => engine == ModelEngine.Cuda ? Cuda : Cpu;

    public static bool TryParse(string? text, out ModelEngine engine)
    {
        engine = ModelEngine.Cpu;
        switch (text?.Trim().ToLowerInvariant())
        {
            case Cpu: return true;
            case Cuda: engine = ModelEngine.Cuda; return true;
            default: return false;
        }
    }
}
