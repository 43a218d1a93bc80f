namespace SkyServe.Contracts.Resumption;

/// <summary>
/// How the load balancer and the built-in engine's OpenAI API continue a generation whose replica was lost. Both are
/// extensions that other engines ignore; the load balancer strips what the agent adds before the client sees it.
/// <list type="bullet">
/// <item>The load balancer asks with <see cref="TokenIdsHeader"/>; the agent then streams an event for every sampled
/// token, each with <see cref="TokenIdsField"/>: the ids sampled since the previous event (text may lag behind ids
/// while a character's bytes are incomplete).</item>
/// <item>A continuation carries <see cref="ResumeField"/> <c>{"token_ids": [...], "text": "..."}</c>: every id the
/// interrupted run sampled and the text the client already has. It is sent beside the portable form that any OpenAI
/// server understands (completions: prompt + text; chat: the partial assistant message with
/// <c>continue_final_message</c>); the agent prefers the ids, which make the continuation token-exact.</item>
/// <item><see cref="MigrateField"/> in a final event (or header, for a non-streamed answer) says the replica is
/// draining and will not finish in time: move the request now.</item>
/// </list>
/// </summary>
public static class ResumeProtocol
{
    public const string TokenIdsHeader = "X-SkyServe-Token-Ids";
    public const string TokenIdsField = "skyserve_token_ids";
    public const string ResumeField = "skyserve_resume";
    public const string MigrateField = "skyserve_migrate";
    public const string MigrateHeader = "X-SkyServe-Migrate";

    /// <summary>
    /// The seed a continuation is sent with: the request's seed plus the tokens already produced, so that an engine
    /// that only sees text draws differently from the interrupted run yet reproducibly. An engine given the ids
    /// (<see cref="ResumeField"/>) takes the seed back (<see cref="OriginalSeed"/>) and skips as many draws, which makes
    /// its continuation the very tokens the uninterrupted run would have sampled. 32-bit, wrapping (the agent's seeds are ints).
    /// </summary>
    public static int ContinuationSeed(int seed, int produced) => unchecked(seed + produced);

    public static int OriginalSeed(int continuationSeed, int produced) => unchecked(continuationSeed - produced);
}
