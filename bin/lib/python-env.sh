# shellcheck shell=bash
# The project's Python environment (target/python), made from the committed lock files: Airflow,
# pyspark (a Spark distribution: spark-submit, the Thrift server, beeline), delta-rs, DuckDB and
# the BI clients. Sourced by bin/test and bin/medallion (serve); needs MEDALLION_HOME.
VENV="$MEDALLION_HOME/target/python"
UV_VERSION=0.13.9

# Makes the environment when it is missing or a lock file changed.
ensure_python_env() {
  local stamp="$VENV/.installed" lock
  for lock in airflow-dags/requirements-lock.txt airflow-dags/requirements-e2e.txt bi/requirements.txt; do
    if [ ! -f "$stamp" ] || [ "$MEDALLION_HOME/$lock" -nt "$stamp" ]; then
      echo "medallion: installing the Python environment in target/python (a few minutes, once)" >&2
      rm -rf "$VENV"
      python3 -m venv "$VENV"
      # uv installs the same pinned set as pip in a quarter of the time (41 s against 156 s on a
      # fresh 2-core machine); it reads the system's certificates (--native-tls) as pip does, and
      # pip's index if one is set.
      "$VENV/bin/pip" install -q --disable-pip-version-check "uv==$UV_VERSION"
      (
        cd "$MEDALLION_HOME"
        if [ -n "${PIP_INDEX_URL:-}" ]; then export UV_DEFAULT_INDEX="${UV_DEFAULT_INDEX:-$PIP_INDEX_URL}"; fi
        "$VENV/bin/uv" pip install -q --native-tls --python "$VENV/bin/python" \
          -r airflow-dags/requirements-lock.txt -r airflow-dags/requirements-e2e.txt -r bi/requirements.txt
      )
      touch "$stamp"
      return
    fi
  done
}

# pyspark's directory: a Spark distribution's layout (bin/, jars/).
pyspark_home() {
  "$VENV/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))'
}
