namespace SkyServe.Inference.Model;

/// <summary>
/// One sequence's keys and values for every layer, for the positions processed so far. Each engine keeps
/// them where its kernels want them (managed arrays, device memory); callers only see the length.
/// </summary>
public abstract class KvCache : IDisposable
{
    /// <summary>Positions already processed: the next token goes at this position.</summary>
    public abstract int Length { get; }

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
