namespace SkyServe.Inference.Model;

/// <summary>The checks every engine makes of a forward step's input, in one place.</summary>
internal static class SequenceSteps
{
    /// <summary>
    /// Each step's cache as the engine's own type, after checking that no step is null or empty, every cache was made by
    /// <paramref name="owner"/>, no sequence appears twice, and every token is inside the vocabulary.
    /// </summary>
    public static TCache[] Caches<TCache>(IReadOnlyList<SequenceStep> steps, object owner, Func<TCache, object> ownerOf, int vocabSize)
        where TCache : KvCache
    {
        var caches = new TCache[steps.Count];
        var seen = new HashSet<KvCache>(ReferenceEqualityComparer.Instance);
        for (var s = 0; s < steps.Count; s++)
        {
            var step = steps[s] ?? throw new ArgumentException($"step {s} is null", nameof(steps));
            if (step.Cache is not TCache cache || ownerOf(cache) != owner)
                throw new ArgumentException($"step {s}: the cache was not created by this model", nameof(steps));
            if (!seen.Add(cache))
                throw new ArgumentException($"step {s}: a sequence appears twice in one forward step", nameof(steps));
            if (step.Tokens.Count == 0)
                throw new ArgumentException($"step {s} has no tokens", nameof(steps));
            foreach (var token in step.Tokens)
                if ((uint)token >= (uint)vocabSize)
                    throw new ArgumentException($"step {s}: token {token} is outside the vocabulary of {vocabSize}", nameof(steps));
            caches[s] = cache;
        }
        return caches;
    }
}
