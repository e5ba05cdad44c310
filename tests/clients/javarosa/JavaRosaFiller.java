/*
 * Headless ODK Collect: fills an XForm with JavaRosa (the form engine inside ODK Collect) and
 * prints the submission XML that Collect would upload.
 *
 * Compiled by the tests against the ODK Validate jar that pyxform ships (it bundles JavaRosa,
 * kxml2 and Jackson):
 *
 *   javac -cp ODK_Validate.jar -d build JavaRosaFiller.java
 *   java -cp build:ODK_Validate.jar JavaRosaFiller form.xml fill.json > submission.xml
 *
 * fill.json: {"answers": {"<question name>": "1" | ["1", "3"] | 42 | null, ...},
 *             "instanceID": "uuid:..." (optional), "deprecatedID": "uuid:..." (optional),
 *             "deviceID": "..." (optional), "username": "..." (optional)}
 *
 * Two batch modes keep the tests to one JVM per form:
 *
 *   java ... JavaRosaFiller --batch form.xml fills.json    fills.json: {"fills": [spec, ...]}
 *     prints [{"xml": "<instance>" | null, "errors": [...]}, ...], one per spec;
 *   java ... JavaRosaFiller --probe form.xml probe.json    probe.json: {"base": {answers},
 *     "probes": [{"item": name, "value": "..." | [...] | null}, ...]}
 *     fills the base answers, then for each probe answers that one question as an enumerator
 *     would (the base answer is put back afterwards) and prints {"base_errors": [...],
 *     "results": [{"status": "accepted" | "constraint" | "required" | "unrepresentable" |
 *     "not_asked", "text": what the instance would hold}, ...]}.
 *
 * The form is walked as Collect walks it: FormEntryController.stepToNextEvent() visits only the
 * relevant questions, answerQuestion() runs the constraint, FormDef.validate() checks required
 * questions, finalizeFormEntry() runs the end-of-form preloads (end timestamp), and
 * XFormSerializingVisitor writes the instance. Problems (a constraint violated, a required
 * question left empty, an answer for a question the form never asked, an unknown choice) are
 * printed as JSON on stderr and the exit status is 1.
 */

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.javarosa.core.model.data.UncastData;
import org.javarosa.core.model.Constants;
import org.javarosa.core.model.FormDef;
import org.javarosa.core.model.FormIndex;
import org.javarosa.core.model.SelectChoice;
import org.javarosa.core.model.ValidateOutcome;
import org.javarosa.core.model.data.DateData;
import org.javarosa.core.model.data.DecimalData;
import org.javarosa.core.model.data.IAnswerData;
import org.javarosa.core.model.data.IntegerData;
import org.javarosa.core.model.data.SelectMultiData;
import org.javarosa.core.model.data.SelectOneData;
import org.javarosa.core.model.data.StringData;
import org.javarosa.core.model.data.helper.Selection;
import org.javarosa.core.model.instance.InstanceInitializationFactory;
import org.javarosa.core.model.instance.TreeElement;
import org.javarosa.core.model.utils.DateUtils;
import org.javarosa.core.services.IPropertyManager;
import org.javarosa.core.services.PropertyManager;
import org.javarosa.core.services.properties.IPropertyRules;
import org.javarosa.form.api.FormEntryController;
import org.javarosa.form.api.FormEntryModel;
import org.javarosa.form.api.FormEntryPrompt;
import org.javarosa.model.xform.XFormSerializingVisitor;
import org.javarosa.model.xform.XFormsModule;
import org.javarosa.xform.util.XFormAnswerDataSerializer;
import org.javarosa.xform.util.XFormUtils;

public final class JavaRosaFiller {

    /** Device properties, as Collect's PropertyManager answers the `property` preloads. */
    static final class DeviceProperties implements IPropertyManager {
        private final Map<String, String> values = new HashMap<>();

        DeviceProperties(String deviceId, String username) {
            values.put("deviceid", deviceId);
            values.put("username", username);
        }

        public List<String> getProperty(String name) {
            String v = getSingularProperty(name);
            return v == null ? null : new ArrayList<>(List.of(v));
        }

        public void setProperty(String name, String value) {
            values.put(name, value);
        }

        public void setProperty(String name, List<String> value) {
            values.put(name, value.isEmpty() ? null : value.get(0));
        }

        public String getSingularProperty(String name) {
            return values.get(name.toLowerCase());
        }

        public void addRules(IPropertyRules rules) {}

        public List<IPropertyRules> getRules() {
            return new ArrayList<>();
        }
    }

    private final ObjectMapper json = new ObjectMapper();
    private ArrayNode errors = json.createArrayNode();
    /** The question indices of the last fill, by name (for --probe). */
    private final Map<String, FormIndex> asked = new HashMap<>();
    private FormDef form;
    private FormEntryController controller;

    private void problem(String item, String code, String message) {
        ObjectNode e = errors.addObject();
        e.put("item", item);
        e.put("code", code);
        e.put("message", message);
    }

    /** null, an empty text or no choice: what a widget left empty gives (no answer). */
    private static boolean blank(JsonNode value) {
        return value.isNull()
                || (value.isTextual() && value.asText().isEmpty())
                || (value.isArray() && value.size() == 0);
    }

    private static SelectChoice findChoice(FormEntryPrompt prompt, String code) {
        List<SelectChoice> choices = prompt.getSelectChoices();
        if (choices != null) {
            for (SelectChoice c : choices) {
                if (c.getValue().equals(code)) {
                    return c;
                }
            }
        }
        return null;
    }

    private IAnswerData toAnswer(FormEntryPrompt prompt, String name, JsonNode value) {
        int control = prompt.getControlType();
        if (control == Constants.CONTROL_SELECT_ONE) {
            SelectChoice c = findChoice(prompt, value.asText());
            if (c == null) {
                problem(name, "unknown_choice", "no choice '" + value.asText() + "' in the list");
                return null;
            }
            return new SelectOneData(c.selection());
        }
        if (control == Constants.CONTROL_SELECT_MULTI) {
            List<Selection> picked = new ArrayList<>();
            List<JsonNode> codes = new ArrayList<>();
            if (value.isArray()) {
                value.forEach(codes::add);
            } else {
                for (String s : value.asText().trim().split("\\s+")) {
                    codes.add(json.getNodeFactory().textNode(s));
                }
            }
            for (JsonNode code : codes) {
                SelectChoice c = findChoice(prompt, code.asText());
                if (c == null) {
                    problem(name, "unknown_choice", "no choice '" + code.asText() + "' in the list");
                    return null;
                }
                picked.add(c.selection());
            }
            return new SelectMultiData(picked);
        }
        String text = value.asText();
        switch (prompt.getDataType()) {
            case Constants.DATATYPE_INTEGER:
                // Collect's integer widget: a signed digit keypad, at most 9 digits
                if (!text.matches("-?[0-9]{1,9}")) {
                    throw new IllegalArgumentException("the integer keypad cannot type '" + text + "'");
                }
                return new IntegerData(Integer.parseInt(text));
            case Constants.DATATYPE_DECIMAL:
                // Collect's decimal widget: digits, one '.', a leading '-', at most 15 digits
                if (!text.matches("-?(?=.*[0-9])[0-9]*\\.?[0-9]*") || text.replaceAll("[^0-9]", "").length() > 15) {
                    throw new IllegalArgumentException("the decimal keypad cannot type '" + text + "'");
                }
                return new DecimalData(Double.parseDouble(text));
            case Constants.DATATYPE_DATE:
                return new DateData(DateUtils.parseDate(value.asText()));
            default:
                return new StringData(value.asText());
        }
    }

    private static TreeElement metaChild(FormDef form, String name) {
        TreeElement root = form.getMainInstance().getRoot();
        TreeElement meta = root.getFirstChild("meta");
        if (meta == null) {
            meta = new TreeElement("meta");
            root.addChild(meta);
        }
        TreeElement child = meta.getFirstChild(name);
        if (child == null) {
            child = new TreeElement(name);
            meta.addChild(child);
        }
        return child;
    }

    byte[] fill(byte[] xform, JsonNode spec) throws Exception {
        errors = json.createArrayNode();
        asked.clear();
        PropertyManager.setPropertyManager(
                new DeviceProperties(
                        spec.path("deviceID").asText("javarosa:headless-filler"),
                        spec.path("username").asText("")));
        form = XFormUtils.getFormFromInputStream(new ByteArrayInputStream(xform));
        form.initialize(true, new InstanceInitializationFactory());
        FormEntryModel model = new FormEntryModel(form);
        controller = new FormEntryController(model);

        JsonNode answers = spec.path("answers");
        Set<String> unused = new LinkedHashSet<>();
        Iterator<String> names = answers.fieldNames();
        while (names.hasNext()) {
            unused.add(names.next());
        }

        controller.jumpToIndex(FormIndex.createBeginningOfFormIndex());
        int event;
        while ((event = controller.stepToNextEvent()) != FormEntryController.EVENT_END_OF_FORM) {
            if (event != FormEntryController.EVENT_QUESTION) {
                continue;
            }
            FormEntryPrompt prompt = model.getQuestionPrompt();
            String name = prompt.getIndex().getReference().getNameLast();
            asked.put(name, prompt.getIndex());
            if (!answers.has(name)) {
                continue;
            }
            unused.remove(name);
            JsonNode value = answers.get(name);
            IAnswerData data;
            try {
                data = blank(value) ? null : toAnswer(prompt, name, value);
            } catch (RuntimeException e) {
                problem(name, "unrepresentable", "the widget cannot hold " + value + ": " + e);
                continue;
            }
            if (data == null && !blank(value)) {
                continue;
            }
            int status = controller.answerQuestion(data, true);
            if (status == FormEntryController.ANSWER_CONSTRAINT_VIOLATED) {
                String text = prompt.getConstraintText();
                problem(name, "constraint", text == null ? "constraint violated" : text);
            } else if (status == FormEntryController.ANSWER_REQUIRED_BUT_EMPTY) {
                problem(name, "required", "required question left empty");
            }
        }
        for (String name : unused) {
            problem(name, "not_asked", "the form never asked this question (unknown or not relevant)");
        }

        if (spec.hasNonNull("instanceID")) {
            metaChild(form, "instanceID").setAnswer(new StringData(spec.get("instanceID").asText()));
        }
        if (spec.hasNonNull("deprecatedID")) {
            metaChild(form, "deprecatedID")
                    .setAnswer(new StringData(spec.get("deprecatedID").asText()));
        }

        ValidateOutcome outcome = form.validate();
        if (outcome != null) {
            String name = outcome.failedPrompt.getReference().getNameLast();
            String code = outcome.outcome == FormEntryController.ANSWER_REQUIRED_BUT_EMPTY
                    ? "required" : "constraint";
            problem(name, code, "the form does not validate at this question");
        }
        controller.finalizeFormEntry();
        return new XFormSerializingVisitor().serializeInstance(form.getInstance());
    }

    /** One question answered on the filled form, then put back: what the enumerator sees. */
    private ObjectNode probe(String name, JsonNode value) {
        ObjectNode out = json.createObjectNode();
        FormIndex index = asked.get(name);
        if (index == null) {
            out.put("status", "not_asked");
            return out;
        }
        controller.jumpToIndex(index);
        FormEntryPrompt prompt = controller.getModel().getQuestionPrompt();
        IAnswerData before = prompt.getAnswerValue();
        ArrayNode saved = errors;
        errors = json.createArrayNode();
        IAnswerData data;
        try {
            data = blank(value) ? null : toAnswer(prompt, name, value);
        } catch (RuntimeException e) {
            data = null;
            problem(name, "unrepresentable", e.toString());
        }
        if (errors.size() > 0) {
            out.put("status", "unrepresentable");
            out.put("message", errors.get(0).path("message").asText());
            errors = saved;
            return out;
        }
        errors = saved;
        int status = controller.answerQuestion(index, data, true);
        if (status == FormEntryController.ANSWER_CONSTRAINT_VIOLATED) {
            out.put("status", "constraint");
        } else if (status == FormEntryController.ANSWER_REQUIRED_BUT_EMPTY) {
            out.put("status", "required");
        } else {
            out.put("status", "accepted");
            IAnswerData stored = controller.getModel().getQuestionPrompt(index).getAnswerValue();
            Object text = stored == null
                    ? ""
                    : new XFormAnswerDataSerializer().serializeAnswerData(stored);
            out.put("text", text == null ? "" : text.toString());
        }
        controller.answerQuestion(index, before, true);
        return out;
    }

    public static void main(String[] args) throws Exception {
        new XFormsModule().registerModule();
        JavaRosaFiller filler = new JavaRosaFiller();
        ObjectMapper json = filler.json;
        if (args.length == 3 && args[0].equals("--batch")) {
            byte[] form = Files.readAllBytes(Paths.get(args[1]));
            ArrayNode out = json.createArrayNode();
            for (JsonNode spec : json.readTree(Files.readAllBytes(Paths.get(args[2]))).path("fills")) {
                byte[] xml = filler.fill(form, spec);
                ObjectNode r = out.addObject();
                if (filler.errors.size() > 0) {
                    r.putNull("xml");
                } else {
                    r.put("xml", new String(xml, java.nio.charset.StandardCharsets.UTF_8));
                }
                r.set("errors", filler.errors);
            }
            System.out.write(json.writeValueAsBytes(out));
            System.out.flush();
            return;
        }
        if (args.length == 3 && args[0].equals("--probe")) {
            byte[] form = Files.readAllBytes(Paths.get(args[1]));
            JsonNode spec = json.readTree(Files.readAllBytes(Paths.get(args[2])));
            ObjectNode base = json.createObjectNode();
            base.set("answers", spec.path("base"));
            filler.fill(form, base);
            ObjectNode out = json.createObjectNode();
            out.set("base_errors", filler.errors);
            ArrayNode results = out.putArray("results");
            for (JsonNode p : spec.path("probes")) {
                results.add(filler.probe(p.path("item").asText(), p.path("value")));
            }
            System.out.write(json.writeValueAsBytes(out));
            System.out.flush();
            return;
        }
        if (args.length != 2) {
            System.err.println("usage: JavaRosaFiller [--batch|--probe] form.xml fill.json");
            System.exit(2);
        }
        JsonNode spec = json.readTree(Files.readAllBytes(Paths.get(args[1])));
        byte[] xml = filler.fill(Files.readAllBytes(Paths.get(args[0])), spec);
        if (filler.errors.size() > 0) {
            ObjectNode report = json.createObjectNode();
            report.set("errors", filler.errors);
            System.err.println(json.writeValueAsString(report));
            System.exit(1);
        }
        System.out.write(xml);
        System.out.flush();
    }

    private JavaRosaFiller() {}
}
