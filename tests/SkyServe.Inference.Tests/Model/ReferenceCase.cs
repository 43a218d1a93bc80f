namespace SkyServe.Inference.Tests.Model;

/// <summary>One prompt of a fixture's expected.json: its ids, transformers' logits at every position, and 12 greedy tokens.</summary>
public sealed record ReferenceCase(string Prompt, int[] Ids, float[][] Logits, int[] Greedy);
