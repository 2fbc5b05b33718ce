using Microsoft.Extensions.Logging;
using VoiceBridge.Security;

namespace VoiceBridge.Engines.Cascade;

public sealed partial class CascadeEngine
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "{Engine}: started (stt {Stt}, tts {Tts}), {Messages} history messages seeded")]
        public static partial void Started(ILogger logger, string engine, string stt, string tts, int messages);

        /// <summary>The caller's words only with <c>--log-transcripts</c> (<see cref="TranscriptLogging"/>); else their length.</summary>
        public static void Transcript(ILogger logger, string engine, string text, double confidence, bool understood) =>
            TranscriptShown(logger, engine, TranscriptLogging.Show(text), confidence, understood);

        [LoggerMessage(2, LogLevel.Debug, "{Engine}: final transcript '{Text}' (confidence {Confidence:0.00}, understood {Understood})")]
        private static partial void TranscriptShown(ILogger logger, string engine, string text, double confidence, bool understood);

        [LoggerMessage(3, LogLevel.Warning, "{Engine}: speech-to-text error (fatal {Fatal}): {Error}")]
        public static partial void SttError(ILogger logger, string engine, string error, bool fatal);

        [LoggerMessage(4, LogLevel.Warning, "{Engine}: response failed: {Error}")]
        public static partial void ResponseFailed(ILogger logger, string engine, string error);
    }
}
