namespace SkyServe.Core.Spec;

/// <summary>
/// This project's <c>model:</c> extension: serve a Llama-architecture checkpoint (HF-layout folder or model id)
/// with the ReplicaAgent's built-in engine instead of a <c>run:</c> command. The short form
/// <c>model: /models/llama</c> sets only <see cref="Path"/>.
/// </summary>
public sealed record ModelSpec(string Path)
{
    public ModelEngine Engine { get; init; } = SpecDefaults.ModelEngineKind;

    public int MaxBatchSize { get; init; } = SpecDefaults.ModelMaxBatchSize;
}
