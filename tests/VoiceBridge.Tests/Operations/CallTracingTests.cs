using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry;
using OpenTelemetry.Trace;
using VoiceBridge.Call;
using VoiceBridge.Call.Tools;
using VoiceBridge.Engines.Cascade;
using VoiceBridge.Engines.Cascade.Local;
using VoiceBridge.Media;
using VoiceBridge.Operations;
using VoiceBridge.Tests.Call;
using VoiceBridge.Tests.Engines.Cascade;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Operations;

/// <summary>
/// A call on a cascade engine (scripted stages, fake clock) traced through the OpenTelemetry SDK's
/// in-memory exporter: one <c>call</c> span with the call's id, leg and engines, and the provider
/// requests as spans of the same trace; a log scope carrying the call id.
/// </summary>
public sealed class CallTracingTests
{
    [Fact]
    public void A_call_is_one_trace_with_its_provider_requests_and_every_log_carries_its_id()
    {
        var exported = new List<Activity>();
        using var tracer = Sdk.CreateTracerProviderBuilder().AddSource(BridgeTelemetry.Name).AddInMemoryExporter(exported).Build();
        var callId = $"CA{Guid.NewGuid():N}";
        var time = OperationsTestCalls.NewTime();
        var logs = new ScopeRecorder();
        var chat = new RecordingChatClient(_ => [new TextContent("We open at eight.")]);
        var session = new CallSession(
            callId,
            "trace-test",
            new RecordingLegOutput(),
            () => new CascadeEngine(new CascadeEngineOptions(), () => new ScriptedSpeechToText(new SpeechTranscript("when do you open", true, 0.9)), chat,
                new EspeakTextToSpeech(new ToneSynthesizer()), time, logs),
            new ToolRegistry([]),
            new CallSessionOptions(),
            time,
            logs);

        VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(1), async () =>
        {
            var run = session.RunAsync(CancellationToken.None);
            var mulaw = Signal.MuLaw(Signal.Tone(1000), Signal.Silence(3000));
            for (var position = 0; position < mulaw.Length; position += CallClock.FrameSamples)
            {
                await time.Elapse(TimeSpan.FromMilliseconds(CallClock.FrameMs));
                await session.OnCallerAudioAsync(mulaw.AsSpan(position, CallClock.FrameSamples));
            }

            await session.OnHangupAsync("the caller hung up");
            return await run;
        });
        tracer.ForceFlush();
        tracer.Dispose();

        // The source is process-wide: calls of tests running beside this one end spans into the
        // exporter too, up to the moment it is disposed, so the list is read as a copy.
        var spans = exported.ToArray();
        var call = Assert.Single(spans, a => a.OperationName == "call" && (string?)a.GetTagItem(CallSession.CallIdTag) == callId);
        Assert.Equal("trace-test", call.GetTagItem(CallSession.LegTag));
        Assert.Equal("local", call.GetTagItem(CallSession.EnginesTag));
        Assert.Contains(call.Events, e => e.Name == "engine");
        var requests = spans.Where(a => a.TraceId == call.TraceId && a != call).Select(a => a.OperationName).ToHashSet();
        Assert.Superset(new HashSet<string> { ProviderSpans.SpeechToText, ProviderSpans.Llm, ProviderSpans.TextToSpeech }, requests);
        Assert.All(spans.Where(a => a.TraceId == call.TraceId && a != call), a => Assert.Equal("local", a.GetTagItem(ProviderSpans.EngineTag)));

        // The engine's own logs do not name the call: the scope does.
        Assert.Contains(logs.Entries, e => e.Category == nameof(CascadeEngine) && e.CallId == callId);
        Assert.All(logs.Entries, e => Assert.Equal(callId, e.CallId));
    }

    /// <summary>A logger (for the session and the engine) that notes the <c>CallId</c> of the scopes around each entry.</summary>
    private sealed class ScopeRecorder : ILogger<CascadeEngine>
    {
        private readonly AsyncLocal<string?> _callId = new();
        private readonly List<(string Category, string? CallId)> _entries = [];

        public IReadOnlyList<(string Category, string? CallId)> Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            var outer = _callId.Value;
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs && pairs.FirstOrDefault(p => p.Key == "CallId").Value is string id)
            {
                _callId.Value = id;
            }

            return new Restore(() => _callId.Value = outer);
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var category = formatter(state, exception).StartsWith("local:", StringComparison.Ordinal) ? nameof(CascadeEngine) : nameof(CallSession);
            lock (_entries)
            {
                _entries.Add((category, _callId.Value));
            }
        }

        private sealed class Restore(Action restore) : IDisposable
        {
            public void Dispose() => restore();
        }
    }
}
