using VoiceBridge.Engines;
using VoiceBridge.Engines.Health;

namespace VoiceBridge.Tests.Call;

/// <summary>
/// A chain of named <see cref="ScriptedEngine"/>s, a fresh one per <see cref="Create"/> (a new
/// session); the test decides the shared health (breaker states, failback) and sees what the call
/// reported.
/// </summary>
internal sealed class ScriptedChain(params string[] names) : IEngineChain
{
    private readonly List<TaskCompletionSource<ScriptedEngine>> _created = [];

    public int Count => names.Length;

    /// <summary>Engines created so far, in order, with their chain index.</summary>
    public List<(int Index, ScriptedEngine Engine)> Created { get; } = [];

    /// <summary>Failures the call reported: index and reason.</summary>
    public List<(int Index, string Reason)> Failures { get; } = [];

    public int Successes { get; private set; }

    /// <summary>Breaker state per engine, as the test says [closed].</summary>
    public Func<int, BreakerState> State { get; set; } = _ => BreakerState.Closed;

    /// <summary>Where a call should fail back to, given its engine and dwell [never].</summary>
    public Func<int, TimeSpan, int?> Failback { get; set; } = (_, _) => null;

    public string NameAt(int index) => names[index];

    public IAgentEngine Create(int index)
    {
        var engine = new ScriptedEngine(names[index]);
        Created.Add((index, engine));
        Slot(Created.Count - 1).TrySetResult(engine);
        return engine;
    }

    /// <summary>The <paramref name="n"/>th engine created (0-based), once the call has created it.</summary>
    public Task<ScriptedEngine> Engine(int n) => Slot(n).Task;

    public BreakerState StateOf(int index) => State(index);

    public bool IsAvailable(int index) => State(index) != BreakerState.Open;

    /// <summary>Which engines the shared health says recovered from a failure [none].</summary>
    public Func<int, bool> Recovered { get; set; } = _ => false;

    public bool IsRecovered(int index) => Recovered(index);

    public int? FailbackTarget(int current, TimeSpan dwell, IReadOnlySet<int> leftDegraded) =>
        Failback(current, dwell) is { } target && !leftDegraded.Contains(target) ? target : null;

    public void ReportFailure(int index, string reason, TimeSpan? retryAfter = null) => Failures.Add((index, reason));

    public void ReportSuccess(int index) => Successes++;

    private TaskCompletionSource<ScriptedEngine> Slot(int n)
    {
        while (_created.Count <= n)
        {
            _created.Add(new TaskCompletionSource<ScriptedEngine>(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        return _created[n];
    }
}
