using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Call;

/// <summary>A logger that keeps every message (to assert on) and echoes it to the test output.</summary>
internal sealed class RecordingLogger(ITestOutputHelper? output = null) : ILogger
{
    private readonly List<(LogLevel Level, string Message)> _entries = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var message = formatter(state, exception);
        lock (_entries)
        {
            _entries.Add((logLevel, message));
        }

        try
        {
            output?.WriteLine($"{logLevel,-11} {message}{(exception is null ? "" : " " + exception)}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished.
        }
    }
}
