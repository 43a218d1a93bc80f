namespace SkyServe.Inference.Tokenization;

/// <summary>
/// The symbols of one word as a linked list, merged by rank with a priority queue, as Hugging Face
/// tokenizers does: the lowest-ranked adjacent pair merges first, the leftmost one on ties.
/// </summary>
internal sealed class BpeWord
{
    private readonly List<int> ids = [];
    private readonly List<int> previous = [];
    private readonly List<int> next = [];
    private readonly List<bool> removed = [];

    public void Add(int id)
    {
        var index = ids.Count;
        ids.Add(id);
        previous.Add(index - 1);
        next.Add(index + 1);
        removed.Add(false);
    }

    public void MergeAll(Dictionary<long, BpeMerge> merges)
    {
        if (ids.Count < 2)
            return;
        next[^1] = -1;
        var queue = new PriorityQueue<(int Position, int MergedId), long>(ids.Count);
        for (var i = 0; i + 1 < ids.Count; i++)
            Enqueue(queue, merges, i, i + 1);

        while (queue.TryDequeue(out var top, out _))
        {
            var position = top.Position;
            if (removed[position] || next[position] < 0)
                continue;
            var right = next[position];
            // Entries go stale when a neighbour merged first: only act if the pair still merges the same way.
            if (!merges.TryGetValue(PairKey(ids[position], ids[right]), out var merge) || merge.MergedId != top.MergedId)
                continue;

            ids[position] = top.MergedId;
            removed[right] = true;
            next[position] = next[right];
            if (next[right] >= 0)
                previous[next[right]] = position;

            if (previous[position] >= 0)
                Enqueue(queue, merges, previous[position], position);
            if (next[position] >= 0)
                Enqueue(queue, merges, position, next[position]);
        }
    }

    public void CopyTo(List<int> output)
    {
        for (var i = 0; i < ids.Count; i++)
            if (!removed[i])
                output.Add(ids[i]);
    }

    public static long PairKey(int left, int right) => ((long)left << 32) | (uint)right;

    private void Enqueue(PriorityQueue<(int, int), long> queue, Dictionary<long, BpeMerge> merges, int left, int right)
    {
        if (merges.TryGetValue(PairKey(ids[left], ids[right]), out var merge))
            queue.Enqueue((left, merge.MergedId), ((long)merge.Rank << 32) | (uint)left);
    }
}
