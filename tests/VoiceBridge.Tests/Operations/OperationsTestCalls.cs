using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Call.Tools;
using VoiceBridge.Tests.Call;

namespace VoiceBridge.Tests.Operations;

/// <summary>Calls for the operations tests: sessions that are registered but never run, and their summaries.</summary>
internal static class OperationsTestCalls
{
    public static FakeTimeProvider NewTime() => new(new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero));

    /// <summary>A session of leg <paramref name="leg"/> (a unique leg keeps a test's metrics apart from other tests').</summary>
    public static CallSession Session(string callId, string leg, TimeProvider time) =>
        new(callId, leg, new RecordingLegOutput(), () => new ScriptedEngine(), new ToolRegistry([]), new CallSessionOptions(), time, NullLogger.Instance);

    public static CallSummary Summary(string callId, string leg) => new(callId, leg, 0, 0, [], [], 0, 0, 0, []);
}
