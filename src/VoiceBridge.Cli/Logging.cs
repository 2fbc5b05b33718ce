using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Serilog.Formatting.Compact;

namespace VoiceBridge.Cli;

/// <summary>Serilog to standard error, behind Microsoft.Extensions.Logging.</summary>
internal static class Logging
{
    /// <param name="json">Compact JSON (CLEF), one event a line with every property (a call's <c>CallId</c> included), for log pipelines; else text.</param>
    public static Serilog.ILogger Create(LogEventLevel minimum, bool json = false)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(minimum)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            // "Hosting failed to start" with the whole stack of a bind failure (a port in use), which
            // serve reports itself in one line; the host's other errors stay.
            .Filter.ByExcluding(e => e.Exception is IOException && e.MessageTemplate.Text == "Hosting failed to start")
            .Enrich.FromLogContext();
        return (json
                ? configuration.WriteTo.Console(new RenderedCompactJsonFormatter(), standardErrorFromLevel: LogEventLevel.Verbose)
                : configuration.WriteTo.Console(
                    outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext:l}: {Message:lj}{NewLine}{Exception}",
                    standardErrorFromLevel: LogEventLevel.Verbose))
            .CreateLogger();
    }

    public static ILoggerFactory Factory(Serilog.ILogger logger) => new SerilogLoggerFactory(logger, dispose: true);
}
