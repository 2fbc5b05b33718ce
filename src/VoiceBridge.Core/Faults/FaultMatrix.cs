namespace VoiceBridge.Faults;

/// <summary>A column of the KIND x WHEN table in docs/failover.md: where a fault's moment falls.</summary>
public enum FaultColumn
{
    /// <summary><c>connect</c>.</summary>
    Connect,

    /// <summary><c>userN[+MS]</c>.</summary>
    User,

    /// <summary><c>turnN</c>, <c>turnN@first</c>, <c>turnN+MS</c>.</summary>
    Turn,

    /// <summary><c>turnN@done</c>.</summary>
    TurnDone,

    /// <summary><c>Ns</c>.</summary>
    Seconds,
}

/// <summary>
/// What a fault is expected to do to a call: the switch reasons it may cause (any one of them), or
/// none when it is not to switch. <see cref="Soft"/>: a soft trigger's switch (slow turns, quality
/// regression), made at the turn boundary after the <see cref="AtTurn"/>th caller turn.
/// <see cref="Optional"/>: that is the call's last turn, so the call may end before the boundary.
/// </summary>
public sealed record FaultOutcome(IReadOnlyList<string> Reasons, bool Soft = false, int? AtTurn = null, bool Optional = false)
{
    public static FaultOutcome NoSwitch { get; } = new([]);

    public bool Switches => Reasons.Count > 0;

    public override string ToString() =>
        !Switches ? "no switch"
        : string.Join(" or ", Reasons) + (Soft ? $" (soft, after turn {AtTurn})" : "") + (Optional ? ", or no switch" : "");
}

/// <summary>
/// The fault matrix: docs/failover.md's KIND x WHEN table for Realtime engines as data (the one
/// place that says which pairs are valid and what each does; cascade stages have a table of their
/// own, not here), and the fault specs that exercise it: every valid pair at the first turn, a
/// middle turn and mid-utterance, at <c>connect</c> and at a time into the call.
/// The named matrices (<see cref="Names"/>) are what <c>replay DIR --faults NAME</c> runs: each spec
/// is one replay of each recording; the empty <c>none</c> is one replay without faults.
/// </summary>
public static class FaultMatrix
{
    public const string CannotConnect = "cannot-connect";
    public const string SocketLost = "socket-lost";
    public const string ProviderError = "provider-error";
    public const string RateLimited = "rate-limited";
    public const string ResponseStall = "response-stall";
    public const string AudioStall = "audio-stall";
    public const string SlowTurns = "slow-turns";
    public const string QualityRegression = "quality-regression";

    /// <summary>The first turn (and utterance) of a call.</summary>
    public const int FirstTurn = 1;

    /// <summary>A middle turn: every fixture has four utterances; a call of three or more has this one in the middle.</summary>
    public const int MiddleTurn = 2;

    /// <summary>How far into the caller's utterance a mid-utterance fault strikes (every utterance is longer).</summary>
    public const int MidUtteranceMs = 400;

    /// <summary>How far into the agent's spoken response a mid-response fault strikes.</summary>
    public const int MidResponseMs = 500;

    /// <summary>The <c>Ns</c> moment: after the second utterance, around the agent's second answer.</summary>
    public const int AtSeconds = 8;

    /// <summary><c>slow:MS</c> beyond the response stall: a hard switch.</summary>
    public const int SlowAboveStallMs = 4000;

    /// <summary><c>slow:MS</c> over the slow-turn latency but under the stall: slow turns, a soft switch.</summary>
    public const int SlowBelowStallMs = 2000;

    /// <summary>FailoverOptions' defaults (FAILOVER.md): the response stall, a slow turn, how many slow / bad turns in a row switch.</summary>
    public const int DefaultResponseStallMs = 2500;
    public const int DefaultSlowTurnMs = 1500;
    public const int DefaultSlowTurnsInRow = 3;
    public const int DefaultBadTurnsInRow = 2;

    /// <summary>A simulated provider's first-audio latency without a fault (500 ms silence window + 300 ms first-audio delay): <c>slow:MS</c> adds MS to it.</summary>
    public const int NormalFirstAudioMs = 800;

    /// <summary>The built-in matrices, for <c>--faults NAME</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["none", "hard", "stalls", "all"];

    private static readonly string[] AnyStall = [ResponseStall, AudioStall];

    // docs/failover.md's Realtime table names a 429 on connect cannot-connect and a rate-limit error
    // event provider-error; the session reports both as rate-limited (FAILOVER.md's own trigger, and
    // what the stage table says): either is right until the table says one.
    private static readonly string[] RateLimitAtConnect = [CannotConnect, RateLimited];
    private static readonly string[] RateLimitEvent = [ProviderError, RateLimited];
    private static readonly FaultWhen AtConnect = new(FaultMoment.Connect, 0, 0, TurnPoint.First);

    /// <summary>docs/failover.md's table: a cell per valid pair; a missing cell is a pair the grammar rejects or that has no effect.</summary>
    private static readonly Dictionary<FaultKind, Dictionary<FaultColumn, string[]>> Table = new()
    {
        [FaultKind.Refuse] = new() { [FaultColumn.Connect] = [CannotConnect] },
        [FaultKind.Http5xx] = new() { [FaultColumn.Connect] = [CannotConnect] },
        [FaultKind.RateLimit] = Row(connect: RateLimitAtConnect, user: RateLimitEvent, turn: RateLimitEvent, done: RateLimitEvent, seconds: RateLimitEvent),
        [FaultKind.Close] = Row(connect: null, user: [SocketLost], turn: [SocketLost], done: [SocketLost], seconds: [SocketLost]),
        [FaultKind.Blackhole] = Row(connect: null, user: [ResponseStall], turn: [AudioStall], done: [ResponseStall], seconds: AnyStall),
        [FaultKind.Error] = Row(connect: null, user: [ProviderError], turn: [ProviderError], done: [ProviderError], seconds: [ProviderError]),
        [FaultKind.StallResponse] = new() { [FaultColumn.Turn] = [ResponseStall] },
        [FaultKind.StallAudio] = new() { [FaultColumn.Turn] = [AudioStall] },
        // slow:MS and empty-transcript last from their turn on (a provider that got slow or deaf stays
        // so); slow:MS under the stall and empty-transcript switch softly after N bad turns (see Expect).
        [FaultKind.Slow] = new() { [FaultColumn.Turn] = [ResponseStall] },
        [FaultKind.EmptyTranscript] = new() { [FaultColumn.User] = [QualityRegression] },
    };

    /// <summary>The column of the table a moment falls in.</summary>
    public static FaultColumn ColumnOf(FaultWhen when) => when.Moment switch
    {
        FaultMoment.Connect => FaultColumn.Connect,
        FaultMoment.User => FaultColumn.User,
        FaultMoment.Turn => when.Point == TurnPoint.Done ? FaultColumn.TurnDone : FaultColumn.Turn,
        _ => FaultColumn.Seconds,
    };

    /// <summary>Whether <paramref name="kind"/> at a moment of <paramref name="column"/> is a pair of the table.</summary>
    public static bool IsValid(FaultKind kind, FaultColumn column) => Table[kind].ContainsKey(column);

    public static bool IsValid(FaultSpec spec) => IsValid(spec.Kind, ColumnOf(spec.When));

    /// <summary>
    /// What <paramref name="spec"/> is to do, per docs/failover.md and FAILOVER.md's triggers, on a
    /// call of <paramref name="utterances"/> caller turns (null: long enough) with the given thresholds.
    /// A degradation (<c>slow:MS</c> under the stall, <c>empty-transcript</c>) lasts from its turn on:
    /// its soft trigger fires on the Nth bad turn in a row and switches at the boundary after it, so
    /// a call too short for N bad turns does not switch. <c>slow:MS</c> makes a slow turn when
    /// <see cref="NormalFirstAudioMs"/> + MS is over <paramref name="slowTurnMs"/>.
    /// </summary>
    public static FaultOutcome Expect(
        FaultSpec spec,
        int? utterances = null,
        int responseStallMs = DefaultResponseStallMs,
        int slowTurnMs = DefaultSlowTurnMs,
        int slowTurnsInRow = DefaultSlowTurnsInRow,
        int badTurnsInRow = DefaultBadTurnsInRow)
    {
        if (!Table[spec.Kind].TryGetValue(ColumnOf(spec.When), out var reasons))
        {
            throw new ArgumentException($"fault '{spec}': {ColumnOf(spec.When)} is not a moment for this kind (docs/failover.md, KIND x WHEN)", nameof(spec));
        }

        return spec.Kind switch
        {
            FaultKind.Slow when spec.SlowMs > responseStallMs => new FaultOutcome(reasons),
            FaultKind.Slow when NormalFirstAudioMs + spec.SlowMs > slowTurnMs => Degradation(spec, SlowTurns, slowTurnsInRow, utterances),
            FaultKind.Slow => FaultOutcome.NoSwitch,
            FaultKind.EmptyTranscript => Degradation(spec, QualityRegression, badTurnsInRow, utterances),
            _ => new FaultOutcome(reasons),
        };
    }

    /// <summary>
    /// Every valid pair of <paramref name="kinds"/> aimed at <paramref name="target"/>: each column
    /// at the first turn, a middle turn and (user and turn columns) mid-utterance / mid-response;
    /// <c>connect</c>; <see cref="AtSeconds"/>. A kind that acts on a whole utterance or response
    /// before its first word (<c>empty-transcript</c>, <c>stall-response</c>, <c>slow</c>) takes no
    /// offset: it would do the same. <c>slow</c> comes beyond the stall (a response stall) and under
    /// it; under it only from the first turn: the slow-turns trigger needs three slow turns and then
    /// a turn for the fallback to answer, which a degradation from the middle of a four-turn call
    /// (every fixture) does not leave.
    /// </summary>
    public static IReadOnlyList<FaultSpec> For(string target, IEnumerable<FaultKind> kinds)
    {
        var specs = new List<FaultSpec>();
        foreach (var kind in kinds.Distinct())
        {
            specs.AddRange(kind == FaultKind.Slow
                ? [.. Slow(target, SlowAboveStallMs), .. Slow(target, SlowBelowStallMs)]
                : Table[kind].Keys.SelectMany(column => Moments(kind, column)).Select(when => Spec(target, kind, 0, when)));
        }

        return specs;
    }

    /// <summary>The built-in matrix <paramref name="name"/> (see <see cref="Names"/>) aimed at <paramref name="target"/>.</summary>
    public static IReadOnlyList<FaultSpec> Named(string name, string target = "primary") => name switch
    {
        "none" => [],
        // Faults the provider signals: a refused connection, an error event, a closed socket.
        "hard" => For(target, [FaultKind.Refuse, FaultKind.Http5xx, FaultKind.RateLimit, FaultKind.Close, FaultKind.Error]),
        // Faults only silence shows: caught by the stall timers (and keep-alive on real sockets).
        "stalls" => [.. For(target, [FaultKind.Blackhole, FaultKind.StallResponse, FaultKind.StallAudio]), .. Slow(target, SlowAboveStallMs)],
        // And the degradations the soft triggers catch.
        "all" => [.. Named("hard", target), .. Named("stalls", target), .. Slow(target, SlowBelowStallMs), .. For(target, [FaultKind.EmptyTranscript])],
        _ => throw new ArgumentException($"unknown fault matrix '{name}' ({string.Join(", ", Names)})", nameof(name)),
    };

    /// <summary><c>slow:MS</c>: beyond the stall at the first and a middle turn; under it from the first turn only (see <see cref="For"/>).</summary>
    private static IEnumerable<FaultSpec> Slow(string target, int ms) =>
        (ms > DefaultResponseStallMs ? Moments(FaultKind.Slow, FaultColumn.Turn) : [$"turn{FirstTurn}"]).Select(when => Spec(target, FaultKind.Slow, ms, when));

    private static FaultOutcome Degradation(FaultSpec spec, string reason, int inRow, int? utterances)
    {
        var atTurn = spec.When.N + inRow - 1;
        return utterances < atTurn ? FaultOutcome.NoSwitch : new FaultOutcome([reason], Soft: true, atTurn, Optional: utterances == atTurn);
    }

    /// <summary>The spec as <c>replay --fault</c> would parse it from its text (FaultSpec's own spelling of the kind).</summary>
    private static FaultSpec Spec(string target, FaultKind kind, int slowMs, string when)
    {
        var head = new FaultSpec(target, kind, slowMs, AtConnect).ToString();
        return FaultSpec.Parse($"{head[..head.LastIndexOf('@')]}@{when}");
    }

    private static IEnumerable<string> Moments(FaultKind kind, FaultColumn column)
    {
        var atOnset = kind is FaultKind.EmptyTranscript or FaultKind.StallResponse or FaultKind.Slow;
        return column switch
        {
            FaultColumn.Connect => ["connect"],
            FaultColumn.User when atOnset => [$"user{FirstTurn}", $"user{MiddleTurn}"],
            FaultColumn.User => [$"user{FirstTurn}", $"user{MiddleTurn}", $"user{MiddleTurn}+{MidUtteranceMs}"],
            FaultColumn.Turn when atOnset => [$"turn{FirstTurn}", $"turn{MiddleTurn}"],
            FaultColumn.Turn => [$"turn{FirstTurn}", $"turn{MiddleTurn}", $"turn{MiddleTurn}+{MidResponseMs}"],
            FaultColumn.TurnDone => [$"turn{FirstTurn}@done", $"turn{MiddleTurn}@done"],
            _ => [$"{AtSeconds}s"],
        };
    }

    private static Dictionary<FaultColumn, string[]> Row(string[]? connect, string[] user, string[] turn, string[] done, string[] seconds)
    {
        var row = new Dictionary<FaultColumn, string[]>
        {
            [FaultColumn.User] = user, [FaultColumn.Turn] = turn, [FaultColumn.TurnDone] = done, [FaultColumn.Seconds] = seconds,
        };
        if (connect is not null)
        {
            row[FaultColumn.Connect] = connect;
        }

        return row;
    }
}
